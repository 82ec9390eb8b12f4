package io.respgate.codec;

import io.netty.buffer.ByteBuf;

/**
 * Integer parsing that accepts exactly what Redis's {@code string2ll} accepts, read in place from a
 * buffer. Matching Redis here matters: a length the proxy reads differently from Redis would let a
 * client smuggle one command inside another.
 */
final class RespIntegers {
    /** Returned for text that is not a valid integer. */
    static final long INVALID = Long.MIN_VALUE;

    /** {@code LONG_STR_SIZE} in Redis: texts this long or longer are rejected outright. */
    private static final int LONG_STR_SIZE = 21;

    private RespIntegers() {
    }

    /**
     * Parses bytes {@code [from, to)} like {@code string2ll}: an optional {@code -}, then {@code 0}
     * alone or a digit 1-9 followed by digits; no {@code +}, no spaces, no leading zeros, no overflow.
     *
     * @return the value, or {@link #INVALID}. {@code Long.MIN_VALUE} itself, which Redis accepts,
     *     is returned as {@code Long.MIN_VALUE + 1}: every caller only asks whether it is negative.
     */
    static long string2ll(ByteBuf buf, int from, int to) {
        int len = to - from;
        if (len <= 0 || len >= LONG_STR_SIZE) {
            return INVALID;
        }
        int p = from;
        if (len == 1 && buf.getByte(p) == '0') {
            return 0;
        }
        boolean negative = false;
        if (buf.getByte(p) == '-') {
            negative = true;
            p++;
            if (p == to) {
                return INVALID;
            }
        }
        byte first = buf.getByte(p);
        if (first < '1' || first > '9') {
            return INVALID;
        }
        // Accumulate as a negative number so that Long.MIN_VALUE's magnitude fits.
        long v = -(first - '0');
        p++;
        for (; p < to; p++) {
            byte b = buf.getByte(p);
            if (b < '0' || b > '9') {
                return INVALID;
            }
            if (v < Long.MIN_VALUE / 10) {
                return INVALID;
            }
            v *= 10;
            int digit = b - '0';
            if (v < Long.MIN_VALUE + digit) {
                return INVALID;
            }
            v -= digit;
        }
        if (negative) {
            return v == Long.MIN_VALUE ? Long.MIN_VALUE + 1 : v;
        }
        return v == Long.MIN_VALUE ? INVALID : -v;
    }
}
