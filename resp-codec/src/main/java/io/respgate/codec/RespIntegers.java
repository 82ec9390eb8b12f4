package io.respgate.codec;

import io.netty.buffer.ByteBuf;

/**
 * Integer parsing that accepts exactly what Redis's {@code string2ll} accepts, read in place from a
 * buffer. Matching Redis here matters: a length the proxy reads differently from Redis would let a
 * client smuggle one command inside another.
 *
 * <p>{@link #shortLine} reads the common short header line ({@code $3\r\n}, {@code *2\r\n}) with one
 * 8-byte load instead of a checked read per byte (issue 6); callers fall back to the general reading for
 * anything else.
 */
final class RespIntegers {
    /** Returned for text that is not a valid integer. */
    static final long INVALID = Long.MIN_VALUE;
    /** Returned by {@link #shortLine} for a line it leaves to the general reading. */
    static final long NOT_SHORT = -1;

    /** {@code \r\n} read as a little-endian short. */
    private static final short CRLF_LE = 0x0A0D;

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

    /**
     * A header line of the common short form, read with one bounds and accessibility check: the byte
     * {@code marker} at {@code index}, then a number of one to five digits as {@code string2ll} reads it
     * (no sign, no leading zero: {@code 0} or {@code [1-9][0-9]*}), then {@code \r\n}, all within the eight
     * bytes at {@code index}. Any other line, and fewer than eight bytes before the writer index, gives
     * {@link #NOT_SHORT}; the caller then finds the line end and parses it the general way, which gives the
     * same line end and value wherever this method answers.
     *
     * @return the value and the offset of the {@code \r} from {@code index}, packed (see
     *     {@link #shortLineValue}, {@link #shortLineCr}), or {@link #NOT_SHORT}
     */
    static long shortLine(ByteBuf buf, int index, byte marker) {
        if (buf.writerIndex() - index < Long.BYTES) {
            return NOT_SHORT;
        }
        long w = buf.getLongLE(index);
        if ((byte) w != marker) {
            return NOT_SHORT;
        }
        int digit = (int) (w >>> 8) & 0xFF;
        if (digit < '0' || digit > '9') {
            return NOT_SHORT;
        }
        long value = digit - '0';
        int at = 2;
        if (value != 0) {
            for (; at < 7; at++) {
                digit = (int) (w >>> (8 * at)) & 0xFF;
                if (digit < '0' || digit > '9') {
                    break;
                }
                value = value * 10 + digit - '0';
            }
        }
        // The CR is at offset 2 to 6, so the LF is within the eight bytes.
        if (at > 6 || ((w >>> (8 * at)) & 0xFFFF) != CRLF_LE) {
            return NOT_SHORT;
        }
        return value << 3 | at;
    }

    /** The number of a line {@link #shortLine} read. */
    static long shortLineValue(long line) {
        return line >>> 3;
    }

    /** The offset of the {@code \r} of a line {@link #shortLine} read, from its marker. */
    static int shortLineCr(long line) {
        return (int) line & 7;
    }

    /** Whether the bytes at {@code index} are {@code \r\n}: one checked read instead of two. */
    static boolean crlfAt(ByteBuf buf, int index) {
        return buf.getShortLE(index) == CRLF_LE;
    }
}
