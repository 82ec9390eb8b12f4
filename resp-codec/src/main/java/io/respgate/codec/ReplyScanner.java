package io.respgate.codec;

import io.netty.buffer.ByteBuf;

/**
 * Finds where each top-level reply ends in the raw bytes from Redis, for every RESP2 and RESP3 type,
 * without building any object, so that replies are forwarded exactly as Redis sent them.
 *
 * <p>Nesting is tracked on a stack preallocated to {@code maxDepth} and walked with an index; a deeper
 * reply is refused rather than followed. All progress is kept as offsets from the reader index, which
 * the caller leaves alone until a frame is complete, so a reply that arrives in many reads is scanned
 * once in total.
 *
 * <p>A RESP3 attribute ({@code |}) annotates the value that follows it; the attribute and that value
 * form one frame, because splitting them would let a reply be matched to the wrong request. Attributes
 * inside aggregates are skipped the same way and do not count as elements.
 *
 * <p>Not supported, because Redis never sends them: streamed strings and aggregates ({@code $?},
 * {@code *?}, {@code ;}, {@code .}). They are rejected as malformed. Not thread-safe: one scanner per
 * upstream connection.
 */
public final class ReplyScanner {
    /** Longest header line for lengths, counts and short scalar types ({@code : _ #}). */
    private static final int MAX_NUMBER_LINE = 64;

    private static final byte KIND_INVALID = 0;
    /** {@code + - ( ,}: free text up to CRLF. */
    private static final byte KIND_TEXT = 1;
    /** {@code :}: a signed integer. */
    private static final byte KIND_INTEGER = 2;
    /** {@code _}: nothing. */
    private static final byte KIND_NULL = 3;
    /** {@code #}: {@code t} or {@code f}. */
    private static final byte KIND_BOOLEAN = 4;
    /** {@code $ ! =}: a length then a payload. */
    private static final byte KIND_BLOB = 5;
    /** {@code * ~ >}: a count of elements. */
    private static final byte KIND_AGGREGATE = 6;
    /** {@code % |}: a count of key-value pairs. */
    private static final byte KIND_PAIRS = 7;

    private static final byte[] KINDS = kinds();

    private final int maxDepth;
    private final long maxBulkLength;
    /** Elements still expected by each open aggregate; index 0 is the outermost. */
    private final int[] remaining;
    /** Whether each open aggregate is an attribute, which does not count as an element of its parent. */
    private final boolean[] attribute;
    private int depth;

    /** Start of the next element to read, relative to the reader index. */
    private int pos;
    /** Where the search for the current header line's {@code \r} resumes, relative to the reader index. */
    private int scan;
    /** While waiting for a blob payload: the offset just past its CRLF; otherwise -1. */
    private long payloadEnd = -1;
    private byte pendingType;
    private byte lastFrameType;

    /**
     * @param maxDepth      most aggregates (attributes included) open at once; at least 1
     * @param maxBulkLength longest blob payload and simple line accepted
     */
    public ReplyScanner(int maxDepth, long maxBulkLength) {
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be positive: " + maxDepth);
        }
        if (maxBulkLength < 1) {
            throw new IllegalArgumentException("maxBulkLength must be positive: " + maxBulkLength);
        }
        this.maxDepth = maxDepth;
        this.maxBulkLength = maxBulkLength;
        this.remaining = new int[maxDepth];
        this.attribute = new boolean[maxDepth];
        reset();
    }

    /**
     * Length of the next complete top-level frame starting at {@code buf.readerIndex()}, or -1 if more
     * bytes are needed. Resumable: progress is kept relative to the reader index, so calling again
     * after more bytes were appended continues where it stopped (O(n) overall). After a positive
     * return the caller advances the reader index by exactly that length before calling again.
     *
     * @throws ReplyProtocolException on malformed input or a limit exceeded; the scanner is then
     *     unusable until {@link #reset()}
     */
    public int nextFrame(ByteBuf buf) {
        int base = buf.readerIndex();
        int readable = buf.readableBytes();
        for (;;) {
            if (payloadEnd >= 0) {
                if (readable < payloadEnd) {
                    return -1;
                }
                int end = (int) payloadEnd;
                if (!RespIntegers.crlfAt(buf, base + end - 2)) {
                    throw malformed("expected CRLF after blob payload at offset " + (end - 2));
                }
                payloadEnd = -1;
                pos = end;
                if (elementDone(false, pendingType)) {
                    return finish();
                }
                continue;
            }
            if (pos >= readable) {
                return -1;
            }
            byte marker = buf.getByte(base + pos);
            byte kind = KINDS[marker & 0xFF];
            if (kind == KIND_INVALID) {
                throw malformed("unexpected type marker 0x" + Integer.toHexString(marker & 0xFF) + " at offset " + pos);
            }
            // A number line of the common short form is read at once; its number is then known.
            boolean number = kind == KIND_INTEGER || kind == KIND_BLOB || kind == KIND_AGGREGATE || kind == KIND_PAIRS;
            long line = number ? RespIntegers.shortLine(buf, base + pos, marker) : RespIntegers.NOT_SHORT;
            boolean parsed = line != RespIntegers.NOT_SHORT;
            int cr;
            if (parsed) {
                cr = pos + RespIntegers.shortLineCr(line);
            } else {
                cr = findCr(buf, kind == KIND_TEXT ? maxBulkLength : MAX_NUMBER_LINE);
                if (cr < 0 || cr + 1 >= readable) {
                    return -1;
                }
                if (buf.getByte(base + cr + 1) != '\n') {
                    throw malformed("expected CRLF at offset " + cr);
                }
            }
            int lineStart = base + pos + 1;
            int lineEnd = base + cr;
            int next = cr + 2;
            boolean complete;
            switch (kind) {
                case KIND_TEXT -> {
                    pos = next;
                    complete = elementDone(false, marker);
                }
                case KIND_INTEGER -> {
                    if (!parsed && !isInteger(buf, lineStart, lineEnd)) {
                        throw malformed("invalid integer at offset " + pos);
                    }
                    pos = next;
                    complete = elementDone(false, marker);
                }
                case KIND_NULL -> {
                    if (lineEnd != lineStart) {
                        throw malformed("null with content at offset " + pos);
                    }
                    pos = next;
                    complete = elementDone(false, marker);
                }
                case KIND_BOOLEAN -> {
                    byte value = lineEnd - lineStart == 1 ? buf.getByte(lineStart) : 0;
                    if (value != 't' && value != 'f') {
                        throw malformed("invalid boolean at offset " + pos);
                    }
                    pos = next;
                    complete = elementDone(false, marker);
                }
                case KIND_BLOB -> {
                    long length = parsed ? RespIntegers.shortLineValue(line)
                            : RespIntegers.string2ll(buf, lineStart, lineEnd);
                    if (length == -1 && marker == '$') {
                        pos = next;
                        complete = elementDone(false, marker);
                    } else {
                        if (length < 0 || length > maxBulkLength) {
                            throw malformed("invalid blob length at offset " + pos);
                        }
                        long end = next + length + 2;
                        if (end > Integer.MAX_VALUE - 1) {
                            throw malformed("reply larger than 2 GiB is not supported");
                        }
                        payloadEnd = end;
                        pendingType = marker;
                        complete = false;
                    }
                }
                default -> {
                    long count = parsed ? RespIntegers.shortLineValue(line)
                            : RespIntegers.string2ll(buf, lineStart, lineEnd);
                    int header = pos;
                    pos = next;
                    if (count == -1 && marker == '*') {
                        complete = elementDone(false, marker);
                    } else {
                        long elements = kind == KIND_PAIRS ? count * 2 : count;
                        // count is bounded before its double is trusted: from 2^62 on, count * 2 wraps.
                        if (count < 0 || count > Integer.MAX_VALUE || elements > Integer.MAX_VALUE) {
                            throw malformed("invalid aggregate length at offset " + header);
                        }
                        boolean isAttribute = marker == '|';
                        if (elements == 0) {
                            complete = elementDone(isAttribute, marker);
                        } else {
                            if (depth == maxDepth) {
                                throw malformed("reply nested deeper than " + maxDepth);
                            }
                            if (depth == 0 && !isAttribute) {
                                lastFrameType = marker;
                            }
                            remaining[depth] = (int) elements;
                            attribute[depth] = isAttribute;
                            depth++;
                            complete = false;
                        }
                    }
                }
            }
            if (complete) {
                return finish();
            }
        }
    }

    /** The type marker of the last complete top-level frame; for an attribute-prefixed frame, of the annotated value. */
    public byte lastFrameType() {
        return lastFrameType;
    }

    /** Forgets any partial frame, e.g. after the caller discarded the bytes it was reading. */
    public void reset() {
        depth = 0;
        pos = 0;
        scan = 0;
        payloadEnd = -1;
        pendingType = 0;
    }

    /**
     * Records that an element ending at {@link #pos} is complete, and closes every aggregate it
     * completes in turn.
     *
     * @return whether a top-level frame is complete
     */
    private boolean elementDone(boolean isAttribute, byte marker) {
        scan = pos;
        if (depth == 0 && !isAttribute) {
            lastFrameType = marker;
        }
        for (;;) {
            if (isAttribute) {
                return false;
            }
            if (depth == 0) {
                return true;
            }
            if (--remaining[depth - 1] > 0) {
                return false;
            }
            depth--;
            isAttribute = attribute[depth];
        }
    }

    private int finish() {
        int length = pos;
        pos = 0;
        scan = 0;
        return length;
    }

    /** Offset of the {@code \r} ending the line at {@link #pos}, or -1 if it has not arrived yet. */
    private int findCr(ByteBuf buf, long maxLine) {
        int readable = buf.readableBytes();
        if (scan <= pos) {
            scan = pos + 1;
        }
        int windowEnd = (int) Math.min(readable, pos + 1 + maxLine + 1);
        if (scan < windowEnd) {
            int base = buf.readerIndex();
            int found = buf.indexOf(base + scan, base + windowEnd, (byte) '\r');
            if (found >= 0) {
                scan = found - base;
                return scan;
            }
            scan = windowEnd;
        }
        if (readable - (pos + 1) > maxLine) {
            throw malformed("line too long at offset " + pos);
        }
        return -1;
    }

    /** An integer reply: an optional sign, then at least one digit, within {@code long}. */
    private static boolean isInteger(ByteBuf buf, int from, int to) {
        boolean negative = false;
        if (from < to) {
            byte sign = buf.getByte(from);
            if (sign == '+' || sign == '-') {
                negative = sign == '-';
                from++;
            }
        }
        if (from >= to) {
            return false;
        }
        long v = 0; // accumulated as a negative number so that Long.MIN_VALUE fits
        for (int i = from; i < to; i++) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                return false;
            }
            int digit = b - '0';
            if (v < (Long.MIN_VALUE + digit) / 10) {
                return false;
            }
            v = v * 10 - digit;
        }
        return negative || v != Long.MIN_VALUE;
    }

    private static ReplyProtocolException malformed(String message) {
        return new ReplyProtocolException("Malformed reply from upstream: " + message);
    }

    private static byte[] kinds() {
        byte[] kinds = new byte[256];
        for (char c : new char[] {'+', '-', '(', ','}) {
            kinds[c] = KIND_TEXT;
        }
        kinds[':'] = KIND_INTEGER;
        kinds['_'] = KIND_NULL;
        kinds['#'] = KIND_BOOLEAN;
        for (char c : new char[] {'$', '!', '='}) {
            kinds[c] = KIND_BLOB;
        }
        for (char c : new char[] {'*', '~', '>'}) {
            kinds[c] = KIND_AGGREGATE;
        }
        kinds['%'] = KIND_PAIRS;
        kinds['|'] = KIND_PAIRS;
        return kinds;
    }
}
