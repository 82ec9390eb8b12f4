package io.respgate.proxy.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits raw reply bytes into whole RESP2/RESP3 replies (attributes kept with the value they annotate),
 * with a plain recursive reader that shares no code with the proxy's reply scanner. Bytes after the last
 * whole reply are left over.
 */
final class Replies {
    /** The whole replies, and how many bytes they take. */
    record Split(List<byte[]> replies, int consumed) {
    }

    private static final class Incomplete extends RuntimeException {
        Incomplete() {
            super(null, null, false, false);
        }
    }

    private Replies() {
    }

    static Split split(byte[] bytes) {
        List<byte[]> replies = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int end;
            try {
                end = value(bytes, at);
            } catch (Incomplete | NumberFormatException e) {
                break;
            }
            replies.add(Arrays.copyOfRange(bytes, at, end));
            at = end;
        }
        return new Split(replies, at);
    }

    /** Whether the reply is an error line ({@code -...}). */
    static boolean isError(byte[] reply) {
        return reply.length > 0 && reply[0] == '-';
    }

    static String text(byte[] reply) {
        return new String(reply, StandardCharsets.ISO_8859_1);
    }

    private static int value(byte[] b, int p) {
        if (p >= b.length) {
            throw new Incomplete();
        }
        int cr = p + 1;
        while (cr + 1 < b.length && !(b[cr] == '\r' && b[cr + 1] == '\n')) {
            cr++;
        }
        if (cr + 1 >= b.length) {
            throw new Incomplete();
        }
        String line = new String(b, p + 1, cr - p - 1, StandardCharsets.ISO_8859_1);
        int next = cr + 2;
        switch (b[p]) {
            case '$', '!', '=' -> {
                long length = Long.parseLong(line);
                if (length < 0) {
                    return next;
                }
                if (next + length + 2 > b.length) {
                    throw new Incomplete();
                }
                return (int) (next + length + 2);
            }
            case '*', '~', '>', '%', '|' -> {
                long count = Long.parseLong(line);
                long elements = b[p] == '%' || b[p] == '|' ? 2 * count : count;
                int q = next;
                for (long i = 0; i < elements; i++) {
                    q = value(b, q);
                }
                return b[p] == '|' ? value(b, q) : q;
            }
            default -> {
                return next;
            }
        }
    }
}
