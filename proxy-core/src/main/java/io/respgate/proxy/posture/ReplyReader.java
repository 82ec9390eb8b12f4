package io.respgate.proxy.posture;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RESP2 replies from a blocking stream. The server at the other end is the one being
 * audited, so nothing it sends is trusted to size a buffer: lengths, counts and nesting are capped
 * before anything is allocated.
 */
final class ReplyReader {
    static final int MAX_LINE = 64 * 1024;
    static final int MAX_BULK = 16 * 1024 * 1024;
    static final int MAX_ITEMS = 100_000;
    static final int MAX_DEPTH = 8;

    private final InputStream in;

    ReplyReader(InputStream in) {
        this.in = in;
    }

    Reply read() throws IOException {
        return read(0);
    }

    private Reply read(int depth) throws IOException {
        int marker = in.read();
        if (marker < 0) {
            throw new EOFException("Redis closed the connection");
        }
        String line = line();
        return switch (marker) {
            case '+' -> new Reply.Simple(line);
            case '-' -> new Reply.Error(line);
            case ':' -> new Reply.Number(number(line, Long.MIN_VALUE, Long.MAX_VALUE));
            case '$' -> bulk(number(line, -1, MAX_BULK));
            case '*' -> array(number(line, -1, MAX_ITEMS), depth);
            default -> throw new IOException("not a RESP2 reply (type byte " + marker + ")");
        };
    }

    private Reply bulk(long length) throws IOException {
        if (length < 0) {
            return new Reply.Bulk(null);
        }
        byte[] bytes = in.readNBytes((int) length);
        if (bytes.length != length) {
            throw new EOFException("Redis closed the connection inside a reply");
        }
        if (in.read() != '\r' || in.read() != '\n') {
            throw new IOException("a bulk string is not followed by CRLF");
        }
        return new Reply.Bulk(bytes);
    }

    private Reply array(long count, int depth) throws IOException {
        if (count < 0) {
            return new Reply.Array(null);
        }
        if (depth >= MAX_DEPTH) {
            throw new IOException("replies nested deeper than " + MAX_DEPTH);
        }
        // Grown as items arrive, never sized from the count on the wire.
        List<Reply> items = new ArrayList<>(Math.min((int) count, 16));
        for (long i = 0; i < count; i++) {
            items.add(read(depth + 1));
        }
        return new Reply.Array(items);
    }

    private String line() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        for (;;) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("Redis closed the connection inside a reply");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("CR not followed by LF in a reply");
                }
                return out.toString(StandardCharsets.UTF_8);
            }
            if (out.size() >= MAX_LINE) {
                throw new IOException("a reply line is longer than " + MAX_LINE + " bytes");
            }
            out.write(b);
        }
    }

    private static long number(String line, long min, long max) throws IOException {
        long value;
        try {
            value = Long.parseLong(line);
        } catch (NumberFormatException e) {
            throw new IOException("not a number in a reply header");
        }
        if (value < min || value > max) {
            throw new IOException("a reply length or count is out of range: " + value);
        }
        return value;
    }
}
