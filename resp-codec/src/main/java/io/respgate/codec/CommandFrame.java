package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

import java.nio.charset.StandardCharsets;

/**
 * One client request, framed: the exact multibulk bytes that go to Redis plus where each
 * argument lies inside them. Arguments are never copied; callers read them in place, from
 * {@link #buffer()} at {@link #argIndex}.
 *
 * <p>For a multibulk request the frame is a range of the very buffer the client's bytes were read
 * into: no slice object, and its reference count is that buffer's (a frame holds one reference to
 * it, so retaining or releasing the frame retains or releases the buffer, as a
 * {@link io.netty.buffer.ByteBufHolder} does). Frames decoded from one read share the buffer, which
 * also lets a writer send consecutive frames as one range. For an inline request the buffer is a
 * freshly encoded multibulk of its own, so Redis never sees bytes the proxy parsed differently.
 */
public final class CommandFrame implements ReferenceCounted {
    private final ByteBuf buffer;
    private final int start;
    private final int length;
    /** Pairs of (index in {@link #buffer}, length) per argument. */
    private final int[] spans;
    private final int argCount;
    private final boolean inline;

    /**
     * A frame that is all of {@code buffer}'s readable bytes.
     *
     * @param buffer   the frame's bytes; the caller's reference passes to this frame
     * @param spans    argument positions in {@code buffer} as (index, length) pairs; ownership passes
     *                 to this frame
     * @param argCount number of arguments described by {@code spans}
     * @param inline   whether the client sent the request in the inline form
     */
    public CommandFrame(ByteBuf buffer, int[] spans, int argCount, boolean inline) {
        this(buffer, buffer.readerIndex(), buffer.readableBytes(), spans, argCount, inline);
    }

    /**
     * A frame that is bytes {@code [start, start + length)} of {@code buffer}.
     *
     * @param buffer one reference to it passes to this frame
     */
    public CommandFrame(ByteBuf buffer, int start, int length, int[] spans, int argCount, boolean inline) {
        if (argCount < 1 || spans.length < argCount * 2) {
            throw new IllegalArgumentException("a command frame has at least one argument");
        }
        this.buffer = buffer;
        this.start = start;
        this.length = length;
        this.spans = spans;
        this.argCount = argCount;
        this.inline = inline;
    }

    /**
     * The buffer that holds the frame, at {@link #start()}, and its arguments, at {@link #argIndex}.
     * It may hold other bytes too. Not retained for the caller.
     */
    public ByteBuf buffer() {
        return buffer;
    }

    /** Index in {@link #buffer()} of the frame's first byte. */
    public int start() {
        return start;
    }

    /** The frame's size in bytes: what is forwarded to Redis. */
    public int length() {
        return length;
    }

    /**
     * The frame's bytes as a view of {@link #buffer()} (not retained: valid while the frame is).
     * Allocates; for diagnostics and tests.
     */
    public ByteBuf content() {
        return buffer.slice(start, length);
    }

    public int argCount() {
        return argCount;
    }

    /** Index of argument {@code i} in {@link #buffer()}. */
    public int argIndex(int i) {
        return spans[checkArg(i) * 2];
    }

    public int argLength(int i) {
        return spans[checkArg(i) * 2 + 1];
    }

    public boolean isInline() {
        return inline;
    }

    /**
     * Whether argument {@code i} equals {@code upperAscii} ignoring ASCII case. {@code upperAscii}
     * must hold upper-case ASCII letters, digits or punctuation only.
     */
    public boolean argEqualsIgnoreCase(int i, byte[] upperAscii) {
        if (i >= argCount) {
            return false;
        }
        int len = spans[i * 2 + 1];
        if (len != upperAscii.length) {
            return false;
        }
        int idx = spans[i * 2];
        for (int k = 0; k < len; k++) {
            byte b = buffer.getByte(idx + k);
            if (b >= 'a' && b <= 'z') {
                b -= 32;
            }
            if (b != upperAscii[k]) {
                return false;
            }
        }
        return true;
    }

    /** Byte {@code k} of argument {@code i}. */
    public byte argByte(int i, int k) {
        return buffer.getByte(spans[checkArg(i) * 2] + k);
    }

    /**
     * Argument {@code i} read as Redis's {@code string2ll} reads an integer (an optional {@code -},
     * digits, no leading zeros, no overflow), or {@link Long#MIN_VALUE} if it is not one.
     */
    public long argAsLong(int i) {
        int index = argIndex(i);
        return RespIntegers.string2ll(buffer, index, index + argLength(i));
    }

    /** A copy of argument {@code i}'s bytes (for the rare paths that need one: AUTH, audit). */
    public byte[] argBytes(int i) {
        byte[] copy = new byte[argLength(i)];
        buffer.getBytes(argIndex(i), copy);
        return copy;
    }

    /** Argument {@code i} decoded as UTF-8. For diagnostics and tests, never on the hot path. */
    public String argToString(int i) {
        return buffer.toString(argIndex(i), argLength(i), StandardCharsets.UTF_8);
    }

    private int checkArg(int i) {
        if (i < 0 || i >= argCount) {
            throw new IndexOutOfBoundsException("argument " + i + " of " + argCount);
        }
        return i;
    }

    @Override
    public int refCnt() {
        return buffer.refCnt();
    }

    @Override
    public CommandFrame retain() {
        buffer.retain();
        return this;
    }

    @Override
    public CommandFrame retain(int increment) {
        buffer.retain(increment);
        return this;
    }

    @Override
    public CommandFrame touch() {
        buffer.touch();
        return this;
    }

    @Override
    public CommandFrame touch(Object hint) {
        buffer.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return buffer.release();
    }

    @Override
    public boolean release(int decrement) {
        return buffer.release(decrement);
    }

    @Override
    public String toString() {
        return "CommandFrame[args=" + argCount + ", bytes=" + length + (inline ? ", inline]" : "]");
    }
}
