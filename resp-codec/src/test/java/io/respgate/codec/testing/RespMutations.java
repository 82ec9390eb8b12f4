package io.respgate.codec.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Byte-level mutations of RESP streams and a readable dump of raw bytes, shared by the property tests
 * of the codec and the differential fuzzer of the proxy. A mutation is plain data (kind, position,
 * value), so a property-test framework can generate and shrink it and a seeded PRNG can draw it; the
 * position and value are reduced modulo what the input allows when the mutation is applied.
 */
public final class RespMutations {
    /** What a mutation does at its position. */
    public enum Kind {
        /** Flip one bit of the byte. */
        FLIP_BIT,
        /** Replace the byte with an interesting one ({@link #INTERESTING}). */
        SET_BYTE,
        /** Remove 1 to 4 bytes. */
        DELETE,
        /** Repeat a run of 1 to 16 bytes right after itself. */
        DUPLICATE,
        /** Insert an interesting byte. */
        INSERT,
        /** Replace the number (digits, with any leading '-') at or after the position with another one. */
        RENUMBER,
        /** Cut the stream at the position. */
        TRUNCATE,
        /** Replace the CRLF at or after the position with a broken line end. */
        BREAK_CRLF,
        /** Insert a RESP token ({@link #TOKENS}). */
        INSERT_TOKEN
    }

    /** One mutation; {@code position} and {@code value} are taken modulo what the input allows. */
    public record Mutation(Kind kind, int position, int value) {
        public Mutation {
            if (position < 0 || value < 0) {
                throw new IllegalArgumentException("position and value must not be negative");
            }
        }
    }

    /** Bytes that mean something to a RESP parser. */
    public static final byte[] INTERESTING = latin1("\r\n\0*$-+:_#,%~>|!=(0129 \t\"'\\xa\u00ff");

    /** The type markers of RESP2 and RESP3. */
    private static final byte[] MARKERS = latin1("*$+-:_#,(!=~%>|");

    /** Counts and lengths at the edges of what parsers accept. */
    public static final List<String> NUMBERS = List.of("-1", "0", "1", "2", "3", "-0", "00", "01", "+1", " 1", "1 ",
            "-2", "10", "11", "255", "16384", "16385", "65535", "65536", "1048576", "1048577", "536870912",
            "536870913", "2147483647", "2147483648", "4294967296", "-2147483648", "-2147483649",
            "9223372036854775807", "9223372036854775808", "4611686018427387904", "4611686018427387905", "-9223372036854775808", "-9223372036854775809",
            "99999999999999999999", "123456789012345678901", "1.5", "1e3", "0x10", "", "-", "abc");

    /** RESP tokens to splice in. */
    public static final List<String> TOKENS = List.of("\r\n", "\n", "\r", "*", "$", "*1\r\n", "*2\r\n", "*-1\r\n",
            "*0\r\n", "$0\r\n\r\n", "$-1\r\n", "$1\r\nx\r\n", "$3\r\nGET\r\n", "PING\r\n", "PING", "\"", "'", "\\x4",
            "\\x41", " ", "\t", "\0", "+OK\r\n", ":1\r\n", "_\r\n", "|1\r\n", "%1\r\n", ">1\r\n", "~1\r\n", "*1\r\n$",
            "*3\r\n$3\r\nSET\r\n");

    private static final List<String> BROKEN_LINE_ENDS = List.of("\n", "\r", "", "\r\r\n", "\n\r", "\r\n\r\n", "\rx",
            "\0\n", " \r\n");

    private RespMutations() {
    }

    /** {@code input} with every mutation applied in order. */
    public static byte[] apply(byte[] input, List<Mutation> mutations) {
        byte[] out = input;
        for (Mutation m : mutations) {
            out = apply(out, m);
        }
        return out;
    }

    /** {@code input} with one mutation applied. */
    public static byte[] apply(byte[] input, Mutation m) {
        int n = input.length;
        int at = n == 0 ? 0 : m.position() % n;
        int value = m.value();
        switch (m.kind()) {
            case FLIP_BIT -> {
                if (n == 0) {
                    return input;
                }
                byte[] out = input.clone();
                out[at] ^= (byte) (1 << (value % 8));
                return out;
            }
            case SET_BYTE -> {
                if (n == 0) {
                    return input;
                }
                byte[] out = input.clone();
                out[at] = INTERESTING[value % INTERESTING.length];
                return out;
            }
            case DELETE -> {
                int len = Math.min(n - at, 1 + value % 4);
                return splice(input, at, len, new byte[0]);
            }
            case DUPLICATE -> {
                int len = Math.min(n - at, 1 + value % 16);
                byte[] run = new byte[len];
                System.arraycopy(input, at, run, 0, len);
                return splice(input, at + len, 0, run);
            }
            case INSERT -> {
                return splice(input, n == 0 ? 0 : m.position() % (n + 1), 0,
                        new byte[] {INTERESTING[value % INTERESTING.length]});
            }
            case RENUMBER -> {
                int start = at;
                while (start < n && !isDigit(input[start])) {
                    start++;
                }
                if (start == n) {
                    return input;
                }
                if (start > 0 && input[start - 1] == '-') {
                    start--;
                }
                int end = start + 1;
                while (end < n && isDigit(input[end])) {
                    end++;
                }
                String replacement;
                if (value % 3 == 0) {
                    // Off by a little: the length errors a client could make by accident.
                    long old = parse(input, start, end);
                    replacement = Long.toString(old + (value / 3) % 5 - 2);
                } else {
                    replacement = NUMBERS.get(value % NUMBERS.size());
                }
                return splice(input, start, end - start, latin1(replacement));
            }
            case TRUNCATE -> {
                byte[] out = new byte[at];
                System.arraycopy(input, 0, out, 0, at);
                return out;
            }
            case BREAK_CRLF -> {
                for (int i = at; i + 1 < n; i++) {
                    if (input[i] == '\r' && input[i + 1] == '\n') {
                        return splice(input, i, 2, latin1(BROKEN_LINE_ENDS.get(value % BROKEN_LINE_ENDS.size())));
                    }
                }
                return input;
            }
            case INSERT_TOKEN -> {
                return splice(input, n == 0 ? 0 : m.position() % (n + 1), 0,
                        latin1(TOKENS.get(value % TOKENS.size())));
            }
            default -> throw new IllegalStateException(m.kind().name());
        }
    }

    /** A random mutation, for fuzzers driven by a seeded PRNG. */
    public static Mutation random(Random random) {
        Kind[] kinds = Kind.values();
        return new Mutation(kinds[random.nextInt(kinds.length)], random.nextInt(Integer.MAX_VALUE),
                random.nextInt(1 << 16));
    }

    /** Between 1 and {@code max} random mutations. */
    public static List<Mutation> random(Random random, int max) {
        int count = 1 + random.nextInt(max);
        List<Mutation> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(random(random));
        }
        return out;
    }

    /** Random bytes drawn mostly from {@link #INTERESTING} and {@link #TOKENS}, with some uniform noise. */
    public static byte[] garbage(Random random, int maxLength) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int length = random.nextInt(maxLength + 1);
        while (out.size() < length) {
            int pick = random.nextInt(12);
            if (pick < 4) {
                out.write(INTERESTING[random.nextInt(INTERESTING.length)]);
            } else if (pick < 7) {
                out.writeBytes(latin1(TOKENS.get(random.nextInt(TOKENS.size()))));
            } else if (pick < 8) {
                out.writeBytes(latin1(NUMBERS.get(random.nextInt(NUMBERS.size()))));
            } else if (pick < 10) {
                // A header line: a type marker and an edge-case count or length.
                out.write(MARKERS[random.nextInt(MARKERS.length)]);
                out.writeBytes(latin1(NUMBERS.get(random.nextInt(NUMBERS.size())) + "\r\n"));
            } else {
                out.write(random.nextInt(256));
            }
        }
        return out.toByteArray();
    }

    /**
     * The bytes as a readable one-line string: printable ASCII as is, {@code \r \n \t \0 \\} and
     * {@code \xHH} escapes for the rest, long runs of one byte shortened to {@code <'x' x 5000>}.
     */
    public static String escape(byte[] bytes) {
        return escape(bytes, 0, bytes.length);
    }

    public static String escape(byte[] bytes, int from, int to) {
        StringBuilder sb = new StringBuilder();
        int i = from;
        while (i < to) {
            byte b = bytes[i];
            int run = 1;
            while (i + run < to && bytes[i + run] == b) {
                run++;
            }
            if (run > 16) {
                sb.append("<'").append(escapeByte(b)).append("' x ").append(run).append('>');
                i += run;
                continue;
            }
            sb.append(escapeByte(b));
            i++;
        }
        return sb.toString();
    }

    private static String escapeByte(byte b) {
        int c = b & 0xFF;
        return switch (c) {
            case '\r' -> "\\r";
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            case 0 -> "\\0";
            case '\\' -> "\\\\";
            default -> c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c);
        };
    }

    public static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] splice(byte[] input, int at, int remove, byte[] insert) {
        byte[] out = new byte[input.length - remove + insert.length];
        System.arraycopy(input, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(input, at + remove, out, at + insert.length, input.length - at - remove);
        return out;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static long parse(byte[] input, int from, int to) {
        long v = 0;
        boolean negative = input[from] == '-';
        for (int i = negative ? from + 1 : from; i < to && v < 1L << 40; i++) {
            v = v * 10 + (input[i] - '0');
        }
        return negative ? -v : v;
    }
}
