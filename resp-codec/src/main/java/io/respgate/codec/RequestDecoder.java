package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;

import java.util.Arrays;
import java.util.List;

/**
 * Frames client bytes into {@link CommandFrame}s exactly where Redis 7.0 would
 * ({@code processMultibulkBuffer} / {@code processInlineBuffer} in {@code networking.c}), so that the
 * command the policy checks is the command Redis runs. A request without arguments becomes
 * {@link EmptyRequest#INSTANCE}. Malformed input becomes one {@link ProtocolViolation}, after which
 * everything the client sends is discarded.
 *
 * <p>The decoder is a resumable state machine. Every offset it keeps is relative to the reader index,
 * which stays at the start of the request until the request is emitted; that way a partial request is
 * never re-scanned (a 64 MiB bulk costs O(n)), and offsets survive the cumulation buffer being copied
 * or compacted by {@link ByteToMessageDecoder}. A count from the wire is checked against the limits
 * before it is used, and never sizes anything: the argument table starts small and grows as
 * arguments actually arrive.
 *
 * <p>One request is emitted per {@code decode} call ({@link ByteToMessageDecoder} calls again while
 * bytes are consumed), so {@link #setAuthenticated} called by a handler reacting to one request
 * already applies to the next one, as it does in Redis.
 *
 * <p>Deliberate differences from Redis 7.0, all of them rejections of input Redis would accept or
 * hang on:
 * <ul>
 *   <li>Redis skips the two bytes after a bulk payload without looking at them, and the byte after the
 *       {@code \r} of a {@code *} or {@code $} line likewise. We require {@code \r\n} and otherwise
 *       answer {@code Protocol error: expected CRLF after bulk string} (or {@code after multibulk
 *       length} / {@code after bulk length}): bytes that Redis ignores are a place to hide things.</li>
 *   <li>Redis looks for line ends with {@code strchr}, which stops at a NUL byte, so a NUL in an inline
 *       line (or in a {@code *}/{@code $} line) makes Redis wait for more input until 64 KiB have
 *       accumulated. We reject a NUL in an inline line at once ({@code Protocol error: unexpected NUL
 *       in inline request}); in a {@code *}/{@code $} line it is a non-digit, hence an invalid
 *       length.</li>
 *   <li>Redis 7 accepts up to {@code INT_MAX} arguments; we stop at {@link RequestLimits#maxArguments()}
 *       (default 1M, the Redis 6 limit) with Redis's own {@code invalid multibulk length}. The same
 *       limit applies to inline requests, which Redis bounds only through the line length.</li>
 *   <li>A request whose total size would not fit a {@link ByteBuf} (2 GiB) is refused with
 *       {@code Protocol error: request too big}; Redis has no such bound.</li>
 *   <li>Redis decides "line too long" by how much happened to be buffered when it looked; we decide by
 *       the position of the line end, which gives the same answer when bytes arrive a little at a
 *       time and is independent of TCP segmentation.</li>
 * </ul>
 */
public final class RequestDecoder extends ByteToMessageDecoder {
    /** Redis's {@code PROTO_INLINE_MAX_SIZE}, which also bounds {@code *} and {@code $} lines. */
    static final int MAX_HEADER_LINE = 64 * 1024;
    /** Redis accepts at most this many arguments from a client that must still authenticate. */
    static final int UNAUTHENTICATED_MAX_ARGUMENTS = 10;
    /** Redis accepts at most this bulk length from a client that must still authenticate. */
    static final long UNAUTHENTICATED_MAX_BULK = 16384;

    static final String INVALID_MULTIBULK_LENGTH = "Protocol error: invalid multibulk length";
    static final String INVALID_BULK_LENGTH = "Protocol error: invalid bulk length";
    static final String TOO_BIG_INLINE = "Protocol error: too big inline request";
    static final String TOO_BIG_MBULK_COUNT = "Protocol error: too big mbulk count string";
    static final String TOO_BIG_BULK_COUNT = "Protocol error: too big bulk count string";
    static final String UNBALANCED_QUOTES = "Protocol error: unbalanced quotes in request";
    static final String UNAUTHENTICATED_MULTIBULK = "Protocol error: unauthenticated multibulk length";
    static final String UNAUTHENTICATED_BULK = "Protocol error: unauthenticated bulk length";
    static final String CRLF_AFTER_BULK = "Protocol error: expected CRLF after bulk string";
    static final String CRLF_AFTER_MULTIBULK_LENGTH = "Protocol error: expected CRLF after multibulk length";
    static final String CRLF_AFTER_BULK_LENGTH = "Protocol error: expected CRLF after bulk length";
    static final String NUL_IN_INLINE = "Protocol error: unexpected NUL in inline request";
    static final String REQUEST_TOO_BIG = "Protocol error: request too big";

    private static final int INITIAL_ARGUMENTS = 8;
    /** A larger argument table is dropped after its request, so one huge request does not pin it. */
    private static final int MAX_KEPT_ARGUMENTS = 64;
    private static final ByteProcessor FIND_LF_OR_NUL = b -> b != '\n' && b != 0;

    private enum State { START, INLINE, COUNT, BULK_HEADER, BULK_PAYLOAD, FAILED }

    private final RequestLimits limits;
    private boolean authenticated = true;

    private State state = State.START;
    /** Next byte to interpret, relative to the reader index. */
    private int pos;
    /** Where the search for the current line's end resumes, relative to the reader index. */
    private int scan;
    /** Arguments announced but not read yet. */
    private int remaining;
    private long bulkLength;
    /**
     * The argument table of the request being decoded, as (index, length) pairs; each frame gets a copy
     * of its own size. Kept for the next request unless it grew past {@link #MAX_KEPT_ARGUMENTS}.
     */
    private int[] spans = new int[2 * INITIAL_ARGUMENTS];
    private int argCount;
    /** Decoded length of the last inline token, set by {@link #inlineToken}. */
    private int tokenLength;

    public RequestDecoder(RequestLimits limits) {
        this.limits = limits;
    }

    /**
     * Whether the client has authenticated. While it has not, Redis's stricter limits apply
     * (at most 10 arguments, bulks of at most 16384 bytes), checked when a length is read.
     */
    public void setAuthenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    public boolean isAuthenticated() {
        return authenticated;
    }

    /** Whether a protocol violation was reported; all later input is discarded. */
    public boolean hasFailed() {
        return state == State.FAILED;
    }

    /** Bytes received but not yet emitted as a request (the start of an incomplete one). */
    public int pendingBytes() {
        return state == State.FAILED ? 0 : actualReadableBytes();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            switch (state) {
                case START -> {
                    if (!in.isReadable()) {
                        return;
                    }
                    pos = 0;
                    scan = 0;
                    state = in.getByte(in.readerIndex()) == '*' ? State.COUNT : State.INLINE;
                }
                case INLINE -> {
                    if (decodeInline(ctx, in, out)) {
                        return;
                    }
                }
                case COUNT -> {
                    if (!decodeCount(in, out)) {
                        return;
                    }
                }
                case BULK_HEADER -> {
                    if (!decodeBulkHeader(in, out)) {
                        return;
                    }
                }
                case BULK_PAYLOAD -> {
                    if (!decodeBulkPayload(in, out)) {
                        return;
                    }
                }
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    /**
     * Reads the {@code *<count>\r\n} line.
     *
     * @return whether to go on decoding in this call
     */
    private boolean decodeCount(ByteBuf in, List<Object> out) {
        long line = RespIntegers.shortLine(in, in.readerIndex(), (byte) '*');
        int cr;
        long count;
        if (line != RespIntegers.NOT_SHORT) {
            cr = RespIntegers.shortLineCr(line);
            count = RespIntegers.shortLineValue(line);
        } else {
            cr = findCr(in, 0);
            if (cr < 0) {
                if (in.readableBytes() > MAX_HEADER_LINE) {
                    fail(in, out, TOO_BIG_MBULK_COUNT);
                }
                return false;
            }
            if (cr + 1 >= in.readableBytes()) {
                return false;
            }
            int base = in.readerIndex();
            count = RespIntegers.string2ll(in, base + 1, base + cr);
            if (count == RespIntegers.INVALID || count > Integer.MAX_VALUE) {
                return fail(in, out, INVALID_MULTIBULK_LENGTH);
            }
        }
        if (!authenticated && count > UNAUTHENTICATED_MAX_ARGUMENTS) {
            return fail(in, out, UNAUTHENTICATED_MULTIBULK);
        }
        if (count > limits.maxArguments()) {
            return fail(in, out, INVALID_MULTIBULK_LENGTH);
        }
        if (line == RespIntegers.NOT_SHORT && in.getByte(in.readerIndex() + cr + 1) != '\n') {
            return fail(in, out, CRLF_AFTER_MULTIBULK_LENGTH);
        }
        if (count <= 0) {
            // Redis answers nothing to an empty request, but it ends a request all the same.
            in.skipBytes(cr + 2);
            out.add(EmptyRequest.INSTANCE);
            state = State.START;
            return false;
        }
        remaining = (int) count;
        argCount = 0;
        pos = cr + 2;
        scan = pos;
        state = State.BULK_HEADER;
        return true;
    }

    private boolean decodeBulkHeader(ByteBuf in, List<Object> out) {
        long line = RespIntegers.shortLine(in, in.readerIndex() + pos, (byte) '$');
        int cr;
        long length;
        if (line != RespIntegers.NOT_SHORT) {
            cr = pos + RespIntegers.shortLineCr(line);
            length = RespIntegers.shortLineValue(line);
        } else {
            cr = findCr(in, pos);
            if (cr < 0) {
                if (in.readableBytes() - pos > MAX_HEADER_LINE) {
                    fail(in, out, TOO_BIG_BULK_COUNT);
                }
                return false;
            }
            if (cr + 1 >= in.readableBytes()) {
                return false;
            }
            int base = in.readerIndex();
            byte marker = in.getByte(base + pos);
            if (marker != '$') {
                return fail(in, out, "Protocol error: expected '$', got '" + printable(marker) + "'");
            }
            length = RespIntegers.string2ll(in, base + pos + 1, base + cr);
        }
        // RespIntegers.INVALID is negative too.
        if (length < 0 || length > limits.maxBulkLength()) {
            return fail(in, out, INVALID_BULK_LENGTH);
        }
        if (!authenticated && length > UNAUTHENTICATED_MAX_BULK) {
            return fail(in, out, UNAUTHENTICATED_BULK);
        }
        if (line == RespIntegers.NOT_SHORT && in.getByte(in.readerIndex() + cr + 1) != '\n') {
            return fail(in, out, CRLF_AFTER_BULK_LENGTH);
        }
        int payload = cr + 2;
        if (payload + length + 2 > Integer.MAX_VALUE - 1) {
            return fail(in, out, REQUEST_TOO_BIG);
        }
        bulkLength = length;
        pos = payload;
        state = State.BULK_PAYLOAD;
        return true;
    }

    private boolean decodeBulkPayload(ByteBuf in, List<Object> out) {
        int end = pos + (int) bulkLength;
        if (in.readableBytes() < end + 2) {
            return false;
        }
        int base = in.readerIndex();
        if (!RespIntegers.crlfAt(in, base + end)) {
            return fail(in, out, CRLF_AFTER_BULK);
        }
        addSpan(pos, (int) bulkLength);
        pos = end + 2;
        if (--remaining > 0) {
            scan = pos;
            state = State.BULK_HEADER;
            return true;
        }
        CommandFrame frame = new CommandFrame(in.retain(), base, pos, frameSpans(base), argCount, false);
        in.skipBytes(pos);
        out.add(frame);
        state = State.START;
        return false;
    }

    /**
     * Finds the {@code \r} ending the line that starts at {@code lineStart}, resuming at {@link #scan}.
     * A line may hold at most {@link #MAX_HEADER_LINE} bytes before its {@code \r}.
     *
     * @return the offset of the {@code \r}, or -1
     */
    private int findCr(ByteBuf in, int lineStart) {
        int readable = in.readableBytes();
        int windowEnd = (int) Math.min(readable, (long) lineStart + MAX_HEADER_LINE + 1);
        if (scan >= windowEnd) {
            return -1;
        }
        int base = in.readerIndex();
        int found = in.indexOf(base + scan, base + windowEnd, (byte) '\r');
        if (found < 0) {
            scan = windowEnd;
            return -1;
        }
        scan = found - base;
        return scan;
    }

    private void addSpan(int index, int length) {
        if (argCount * 2 == spans.length) {
            int capacity = (int) Math.min((long) argCount * 2, (long) argCount + remaining);
            spans = Arrays.copyOf(spans, capacity * 2);
        }
        spans[argCount * 2] = index;
        spans[argCount * 2 + 1] = length;
        argCount++;
    }

    /**
     * The argument table of the request just decoded, for its frame, with each index moved by
     * {@code base} (the table is kept relative to the reader index; a frame's is absolute).
     */
    private int[] frameSpans(int base) {
        int[] copy = Arrays.copyOf(spans, 2 * argCount);
        if (base != 0) {
            for (int i = 0; i < copy.length; i += 2) {
                copy[i] += base;
            }
        }
        if (spans.length > 2 * MAX_KEPT_ARGUMENTS) {
            spans = new int[2 * INITIAL_ARGUMENTS];
        }
        return copy;
    }

    /**
     * Reads an inline request line, splits it like {@code sdssplitargs} and re-encodes it as a multibulk
     * request.
     *
     * @return whether this call is done (a frame or violation was emitted, or more bytes are needed)
     */
    private boolean decodeInline(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        int max = limits.maxInlineLength();
        int windowEnd = (int) Math.min(readable, (long) max + 1);
        int base = in.readerIndex();
        int found = scan < windowEnd ? in.forEachByte(base + scan, windowEnd - scan, FIND_LF_OR_NUL) : -1;
        if (found < 0) {
            scan = windowEnd;
            if (readable > max) {
                fail(in, out, TOO_BIG_INLINE);
            }
            return true;
        }
        if (in.getByte(found) == 0) {
            fail(in, out, NUL_IN_INLINE);
            return true;
        }
        int lineEnd = found;
        if (lineEnd > base && in.getByte(lineEnd - 1) == '\r') {
            lineEnd--;
        }
        argCount = 0;
        long size = splitArgs(in, base, lineEnd, null);
        if (size < 0) {
            fail(in, out, UNBALANCED_QUOTES);
            return true;
        }
        if (argCount > limits.maxArguments()) {
            fail(in, out, INVALID_MULTIBULK_LENGTH);
            return true;
        }
        if (argCount == 0) {
            in.skipBytes(found + 1 - base);
            out.add(EmptyRequest.INSTANCE);
            state = State.START;
            return true;
        }
        size += 1 + decimalLength(argCount) + 2;
        ByteBuf frame = ctx.alloc().buffer((int) size);
        try {
            frame.writeByte('*');
            writeDecimal(frame, argCount);
            frame.writeByte('\r').writeByte('\n');
            splitArgs(in, base, lineEnd, frame);
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
        in.skipBytes(found + 1 - base);
        out.add(new CommandFrame(frame, frameSpans(0), argCount, true));
        state = State.START;
        return true;
    }

    /**
     * {@code sdssplitargs} over bytes {@code [from, to)}, which hold no NUL. With {@code out == null}
     * it validates, counts arguments into {@link #argCount} and records each decoded length in
     * {@link #spans}; it returns the encoded size of the arguments or -1 for unbalanced quotes. With
     * {@code out} it writes each argument as a bulk string and records where its payload lies.
     */
    private long splitArgs(ByteBuf in, int from, int to, ByteBuf out) {
        long size = 0;
        int p = from;
        int arg = 0;
        for (;;) {
            while (p < to && isCSpace(in.getByte(p))) {
                p++;
            }
            if (p >= to) {
                return size;
            }
            if (out == null) {
                p = inlineToken(in, p, to, null);
                if (p < 0) {
                    return -1;
                }
                if (argCount * 2 == spans.length) {
                    spans = Arrays.copyOf(spans, spans.length * 2);
                }
                spans[argCount * 2 + 1] = tokenLength;
                argCount++;
                size += 1 + decimalLength(tokenLength) + 2 + tokenLength + 2L;
            } else {
                int length = spans[arg * 2 + 1];
                out.writeByte('$');
                writeDecimal(out, length);
                out.writeByte('\r').writeByte('\n');
                spans[arg * 2] = out.writerIndex();
                p = inlineToken(in, p, to, out);
                out.writeByte('\r').writeByte('\n');
                arg++;
            }
        }
    }

    /**
     * One token of {@code sdssplitargs}, starting at a non-blank byte {@code p}. Stores the decoded
     * length in {@link #tokenLength} and writes the decoded bytes to {@code out} if it is not null.
     *
     * @return the offset after the token, or -1 for unbalanced quotes
     */
    private int inlineToken(ByteBuf in, int p, int to, ByteBuf out) {
        boolean inDouble = false;
        boolean inSingle = false;
        int length = 0;
        for (;;) {
            int c = at(in, p, to);
            if (inDouble) {
                if (c == '\\' && at(in, p + 1, to) == 'x' && isHex(at(in, p + 2, to)) && isHex(at(in, p + 3, to))) {
                    emit(out, hexValue(at(in, p + 2, to)) * 16 + hexValue(at(in, p + 3, to)));
                    length++;
                    p += 3;
                } else if (c == '\\' && at(in, p + 1, to) != 0) {
                    p++;
                    emit(out, unescape(at(in, p, to)));
                    length++;
                } else if (c == '"') {
                    int next = at(in, p + 1, to);
                    if (next != 0 && !isCSpace((byte) next)) {
                        return -1;
                    }
                    p++;
                    break;
                } else if (c == 0) {
                    return -1;
                } else {
                    emit(out, c);
                    length++;
                }
            } else if (inSingle) {
                if (c == '\\' && at(in, p + 1, to) == '\'') {
                    p++;
                    emit(out, '\'');
                    length++;
                } else if (c == '\'') {
                    int next = at(in, p + 1, to);
                    if (next != 0 && !isCSpace((byte) next)) {
                        return -1;
                    }
                    p++;
                    break;
                } else if (c == 0) {
                    return -1;
                } else {
                    emit(out, c);
                    length++;
                }
            } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0) {
                if (c != 0) {
                    p++;
                }
                break;
            } else if (c == '"') {
                inDouble = true;
            } else if (c == '\'') {
                inSingle = true;
            } else {
                emit(out, c);
                length++;
            }
            p++;
        }
        tokenLength = length;
        return p;
    }

    /** The byte at {@code p} as {@code sdssplitargs} sees it: the line is NUL-terminated. */
    private static int at(ByteBuf in, int p, int to) {
        return p < to ? in.getByte(p) & 0xFF : 0;
    }

    private static void emit(ByteBuf out, int b) {
        if (out != null) {
            out.writeByte(b);
        }
    }

    private static int unescape(int c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> c;
        };
    }

    /** C {@code isspace} in the "C" locale. */
    private static boolean isCSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hexValue(int c) {
        if (c <= '9') {
            return c - '0';
        }
        return (c | 0x20) - 'a' + 10;
    }

    static int decimalLength(long v) {
        int n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    static void writeDecimal(ByteBuf out, long v) {
        int n = decimalLength(v);
        int at = out.writerIndex();
        out.ensureWritable(n);
        for (int i = n - 1; i >= 0; i--) {
            out.setByte(at + i, (int) ('0' + v % 10));
            v /= 10;
        }
        out.writerIndex(at + n);
    }

    /** The byte as Redis prints it with {@code %c} in an error, CR and LF made spaces. */
    private static char printable(byte b) {
        return b == '\r' || b == '\n' ? ' ' : (char) (b & 0xFF);
    }

    private boolean fail(ByteBuf in, List<Object> out, String message) {
        out.add(new ProtocolViolation(message));
        state = State.FAILED;
        spans = null;
        in.skipBytes(in.readableBytes());
        return false;
    }
}
