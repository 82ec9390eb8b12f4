package io.respgate.policy.command;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small model of a parsed RESP2/RESP3 reply, for the rare replies the proxy reads itself (such as
 * {@code COMMAND INFO} when learning commands), never for forwarded traffic.
 *
 * <p>Simple strings, bulk strings, verbatim strings, doubles, big numbers and booleans are
 * {@link Str}; arrays, sets and pushes are {@link Arr}; a RESP3 map is an {@link Arr} of its keys
 * and values in turn, as RESP2 sends maps; attributes are skipped.
 */
public sealed interface RespValue {
    /** Limits of {@link #read}. */
    int MAX_DEPTH = 16;
    int MAX_BULK = 64 * 1024 * 1024;
    int MAX_ELEMENTS = 1 << 20;
    int MAX_LINE = 64 * 1024;

    record Str(String value) implements RespValue {
    }

    record Int(long value) implements RespValue {
    }

    record Arr(List<RespValue> items) implements RespValue {
        public Arr {
            items = List.copyOf(items);
        }
    }

    record Err(String message) implements RespValue {
    }

    /** A RESP2 null bulk string or array, or RESP3 null. */
    enum Nil implements RespValue { INSTANCE }

    /** The value as text, or null if it is not a string or an integer. */
    default String asString() {
        if (this instanceof Str s) {
            return s.value();
        }
        if (this instanceof Int i) {
            return Long.toString(i.value());
        }
        return null;
    }

    /** The items of an array, or an empty list for anything else. */
    default List<RespValue> items() {
        return this instanceof Arr a ? a.items() : List.of();
    }

    /** Reads one complete reply from {@code in}. */
    static RespValue read(InputStream in) throws IOException {
        return read(in, 0);
    }

    private static RespValue read(InputStream in, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("RESP reply nested deeper than " + MAX_DEPTH);
        }
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed before a complete reply");
        }
        String line = line(in);
        switch (type) {
            case '+':
            case ',':
            case '(':
            case '#':
                return new Str(line);
            case '-':
                return new Err(line);
            case '!':
                // RESP3 bulk error
            case '$':
            case '=': {
                long len = number(line);
                if (len < 0) {
                    return Nil.INSTANCE;
                }
                if (len > MAX_BULK) {
                    throw new IOException("RESP bulk string of " + len + " bytes");
                }
                byte[] data = in.readNBytes((int) len);
                if (data.length != len || in.read() != '\r' || in.read() != '\n') {
                    throw new IOException("bad RESP bulk string");
                }
                String s = new String(data, StandardCharsets.UTF_8);
                return type == '!' ? new Err(s) : new Str(s);
            }
            case ':':
                return new Int(number(line));
            case '_':
                return Nil.INSTANCE;
            case '*':
            case '~':
            case '>':
            case '%':
            case '|': {
                long n = number(line);
                if (n < 0) {
                    return Nil.INSTANCE;
                }
                long count = type == '%' || type == '|' ? n * 2 : n;
                if (count > MAX_ELEMENTS) {
                    throw new IOException("RESP aggregate of " + n + " elements");
                }
                List<RespValue> items = new ArrayList<>();
                for (long i = 0; i < count; i++) {
                    items.add(read(in, depth + 1));
                }
                return type == '|' ? read(in, depth) : new Arr(items);
            }
            default:
                throw new IOException("unknown RESP type byte " + type);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (;;) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a RESP line");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("RESP line without LF after CR");
                }
                return out.toString(StandardCharsets.UTF_8);
            }
            if (out.size() >= MAX_LINE) {
                throw new IOException("RESP line longer than " + MAX_LINE);
            }
            out.write(b);
        }
    }

    private static long number(String line) throws IOException {
        try {
            return Long.parseLong(line);
        } catch (NumberFormatException e) {
            throw new IOException("bad RESP number '" + line + "'");
        }
    }
}
