package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

import java.nio.charset.StandardCharsets;

/**
 * One client request, framed: the exact multibulk bytes that go to Redis plus where each
 * argument lies inside them. Arguments are never copied; callers read them in place.
 *
 * <p>For a multibulk request {@link #bytes()} is a retained slice of what the client sent. For an
 * inline request it is a freshly encoded multibulk, so Redis never sees bytes the proxy parsed
 * differently.
 */
public final class CommandFrame extends AbstractReferenceCounted {
    private final ByteBuf bytes;
    /** Pairs of (absolute index in {@link #bytes}, length) per argument. */
    private final int[] spans;
    private final int argCount;
    private final boolean inline;
    private final ByteBuf source;
    private final int sourceIndex;

    /**
     * @param bytes    the frame's bytes; ownership passes to this frame
     * @param spans    argument positions as (index, length) pairs; ownership passes to this frame
     * @param argCount number of arguments described by {@code spans}
     * @param inline   whether the client sent the request in the inline form
     */
    public CommandFrame(ByteBuf bytes, int[] spans, int argCount, boolean inline) {
        this(bytes, spans, argCount, inline, null, -1);
    }

    /**
     * A frame whose bytes are a slice of {@code source} starting at {@code sourceIndex}. Knowing
     * that lets a writer send consecutive frames of one read as a single slice.
     *
     * @param source      the buffer {@code bytes} was sliced from; kept alive by {@code bytes}, not
     *                    retained separately
     * @param sourceIndex index in {@code source} of the frame's first byte
     */
    public CommandFrame(ByteBuf bytes, int[] spans, int argCount, boolean inline, ByteBuf source, int sourceIndex) {
        if (argCount < 1 || spans.length < argCount * 2) {
            throw new IllegalArgumentException("a command frame has at least one argument");
        }
        this.bytes = bytes;
        this.spans = spans;
        this.argCount = argCount;
        this.inline = inline;
        this.source = source;
        this.sourceIndex = sourceIndex;
    }

    /** The buffer the frame's bytes were sliced from, or null if they were built on their own. */
    public ByteBuf source() {
        return source;
    }

    /** Index of the frame's first byte in {@link #source()}; meaningless when that is null. */
    public int sourceIndex() {
        return sourceIndex;
    }

    /** The bytes to forward to Redis, exactly as they are. Not retained for the caller. */
    public ByteBuf bytes() {
        return bytes;
    }

    public int argCount() {
        return argCount;
    }

    /** Absolute index of argument {@code i} in {@link #bytes()}. */
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
            byte b = bytes.getByte(idx + k);
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
        return bytes.getByte(spans[checkArg(i) * 2] + k);
    }

    /**
     * Argument {@code i} read as Redis's {@code string2ll} reads an integer (an optional {@code -},
     * digits, no leading zeros, no overflow), or {@link Long#MIN_VALUE} if it is not one.
     */
    public long argAsLong(int i) {
        int index = argIndex(i);
        return RespIntegers.string2ll(bytes, index, index + argLength(i));
    }

    /** A copy of argument {@code i}'s bytes (for the rare paths that need one: AUTH, audit). */
    public byte[] argBytes(int i) {
        byte[] copy = new byte[argLength(i)];
        bytes().getBytes(argIndex(i), copy);
        return copy;
    }

    /** Argument {@code i} decoded as UTF-8. For diagnostics and tests, never on the hot path. */
    public String argToString(int i) {
        return bytes.toString(argIndex(i), argLength(i), StandardCharsets.UTF_8);
    }

    private int checkArg(int i) {
        if (i < 0 || i >= argCount) {
            throw new IndexOutOfBoundsException("argument " + i + " of " + argCount);
        }
        return i;
    }

    @Override
    protected void deallocate() {
        bytes.release();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        bytes.touch(hint);
        return this;
    }

    @Override
    public CommandFrame retain() {
        super.retain();
        return this;
    }

    @Override
    public String toString() {
        return "CommandFrame[args=" + argCount + ", bytes=" + bytes.readableBytes() + (inline ? ", inline]" : "]");
    }
}
