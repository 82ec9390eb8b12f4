package io.respgate.policy.command;

import io.netty.buffer.ByteBuf;
import io.respgate.codec.CommandFrame;

import java.nio.charset.StandardCharsets;

/**
 * Reads command arguments in place, with the semantics of the C functions Redis uses on them. Redis
 * compares keywords and command names with {@code strcasecmp}, which stops at the first NUL byte, so
 * {@code "STORE\0junk"} is the keyword {@code STORE} to Redis; these helpers do the same.
 */
final class Args {
    /** Returned by {@link #string2ll} for text that is not an integer. */
    static final long INVALID = Long.MIN_VALUE;

    private Args() {
    }

    /** Upper-case ASCII bytes of {@code s}, as {@link CommandFrame#argEqualsIgnoreCase} wants them. */
    static byte[] upper(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] >= 'a' && b[i] <= 'z') {
                b[i] -= 32;
            }
        }
        return b;
    }

    /** The length of argument {@code i} up to its first NUL byte, as C sees it. */
    static int cLength(CommandFrame frame, int i) {
        ByteBuf buf = frame.buffer();
        int idx = frame.argIndex(i);
        int len = frame.argLength(i);
        for (int k = 0; k < len; k++) {
            if (buf.getByte(idx + k) == 0) {
                return k;
            }
        }
        return len;
    }

    /** {@code strcasecmp(argv[i], word) == 0}; {@code upperWord} holds no NUL byte. */
    static boolean is(CommandFrame frame, int i, byte[] upperWord) {
        int len = frame.argLength(i);
        int n = upperWord.length;
        if (len < n || (len > n && frame.buffer().getByte(frame.argIndex(i) + n) != 0)) {
            return false;
        }
        ByteBuf buf = frame.buffer();
        int idx = frame.argIndex(i);
        for (int k = 0; k < n; k++) {
            byte b = buf.getByte(idx + k);
            if (b >= 'a' && b <= 'z') {
                b -= 32;
            }
            if (b != upperWord[k]) {
                return false;
            }
        }
        return true;
    }

    /** {@code strchr(argv[i], c) != NULL}: whether {@code c} occurs before the first NUL. */
    static boolean containsBeforeNul(CommandFrame frame, int i, byte c) {
        ByteBuf buf = frame.buffer();
        int idx = frame.argIndex(i);
        int len = frame.argLength(i);
        for (int k = 0; k < len; k++) {
            byte b = buf.getByte(idx + k);
            if (b == 0) {
                return false;
            }
            if (b == c) {
                return true;
            }
        }
        return false;
    }

    /**
     * Argument {@code i} parsed like Redis's {@code string2ll} (an optional {@code -}, no {@code +},
     * no spaces, no leading zeros, no overflow), or {@link #INVALID}.
     */
    static long string2ll(CommandFrame frame, int i) {
        return frame.argAsLong(i);
    }
}
