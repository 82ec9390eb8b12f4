package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encoders for the replies the proxy answers itself (denials, AUTH and HELLO answers, protocol
 * errors), written into the caller's allocator so they are pooled like every other buffer.
 *
 * <p>Simple strings and errors cannot carry CR or LF; a CR or LF in the text is written as a space,
 * as Redis does for its own errors, so that no caller can inject a second reply through a message.
 *
 * <p>The hot constant replies ({@link #ok()}, {@link #pong()}, ...) are shared read-only, unreleasable
 * buffers; each accessor returns a fresh duplicate so every write has its own indexes, and releasing it
 * is harmless.
 */
public final class RespReplies {
    private static final byte[] CRLF = {'\r', '\n'};

    private static final ByteBuf OK = constant("+OK\r\n");
    private static final ByteBuf PONG = constant("+PONG\r\n");
    private static final ByteBuf QUEUED = constant("+QUEUED\r\n");
    private static final ByteBuf NULL_BULK_RESP2 = constant("$-1\r\n");
    private static final ByteBuf NULL_ARRAY_RESP2 = constant("*-1\r\n");
    private static final ByteBuf NULL_RESP3 = constant("_\r\n");
    private static final ByteBuf EMPTY_ARRAY = constant("*0\r\n");
    private static final ByteBuf ZERO = constant(":0\r\n");
    private static final ByteBuf ONE = constant(":1\r\n");

    private RespReplies() {
    }

    /** {@code +OK\r\n}. */
    public static ByteBuf ok() {
        return OK.duplicate();
    }

    /** {@code +PONG\r\n}. */
    public static ByteBuf pong() {
        return PONG.duplicate();
    }

    /** {@code +QUEUED\r\n}. */
    public static ByteBuf queued() {
        return QUEUED.duplicate();
    }

    /** {@code *0\r\n}. */
    public static ByteBuf emptyArray() {
        return EMPTY_ARRAY.duplicate();
    }

    /** The reply to a missing value: {@code $-1\r\n} in RESP2, {@code _\r\n} in RESP3. */
    public static ByteBuf nullBulk(Protocol protocol) {
        return (protocol == Protocol.RESP3 ? NULL_RESP3 : NULL_BULK_RESP2).duplicate();
    }

    /** The reply to a missing aggregate: {@code *-1\r\n} in RESP2, {@code _\r\n} in RESP3. */
    public static ByteBuf nullArray(Protocol protocol) {
        return (protocol == Protocol.RESP3 ? NULL_RESP3 : NULL_ARRAY_RESP2).duplicate();
    }

    /** {@code +text\r\n}. */
    public static ByteBuf simpleString(ByteBufAllocator alloc, String text) {
        return line(alloc, '+', text);
    }

    /**
     * {@code -text\r\n}; {@code text} starts with the error code, e.g. {@code ERR unknown command} or
     * {@code NOAUTH Authentication required.} It holds one char per byte (ISO-8859-1): Redis's errors
     * quote client bytes as they are ({@code unknown command '...'}, {@code expected '$', got 'x'}), and
     * the texts that quote them ({@link ProtocolViolation}, the policy's denials) hold each byte as one
     * char. CR and LF become spaces, as in Redis; a char above 0xFF, which no error text should hold,
     * becomes {@code ?}.
     */
    public static ByteBuf error(ByteBufAllocator alloc, String text) {
        ByteBuf buf = alloc.buffer(text.length() + 3);
        buf.writeByte('-');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            buf.writeByte(c == '\r' || c == '\n' ? ' ' : c <= 0xFF ? c : '?');
        }
        buf.writeBytes(CRLF);
        return buf;
    }

    /** {@code :value\r\n}. */
    public static ByteBuf integer(ByteBufAllocator alloc, long value) {
        if (value == 0) {
            return ZERO.duplicate();
        }
        if (value == 1) {
            return ONE.duplicate();
        }
        ByteBuf buf = alloc.buffer(23);
        buf.writeByte(':');
        writeLong(buf, value);
        buf.writeBytes(CRLF);
        return buf;
    }

    /** RESP3 {@code #t}/{@code #f}; RESP2 has no boolean, Redis answers {@code :1}/{@code :0}. */
    public static ByteBuf bool(ByteBufAllocator alloc, Protocol protocol, boolean value) {
        if (protocol == Protocol.RESP2) {
            return integer(alloc, value ? 1 : 0);
        }
        ByteBuf buf = alloc.buffer(4);
        buf.writeByte('#').writeByte(value ? 't' : 'f').writeBytes(CRLF);
        return buf;
    }

    /** {@code $len\r\npayload\r\n}. */
    public static ByteBuf bulk(ByteBufAllocator alloc, byte[] payload) {
        ByteBuf buf = alloc.buffer(payload.length + 16);
        buf.writeByte('$');
        writeLong(buf, payload.length);
        buf.writeBytes(CRLF).writeBytes(payload).writeBytes(CRLF);
        return buf;
    }

    /** {@code $len\r\npayload\r\n} with the payload in UTF-8. */
    public static ByteBuf bulk(ByteBufAllocator alloc, String payload) {
        int length = ByteBufUtil.utf8Bytes(payload);
        ByteBuf buf = alloc.buffer(length + 16);
        buf.writeByte('$');
        writeLong(buf, length);
        buf.writeBytes(CRLF);
        ByteBufUtil.reserveAndWriteUtf8(buf, payload, length);
        buf.writeBytes(CRLF);
        return buf;
    }

    /** {@code *count\r\n}, followed by {@code count} replies the caller writes. */
    public static ByteBuf arrayHeader(ByteBufAllocator alloc, int count) {
        return header(alloc, '*', checkCount(count));
    }

    /**
     * RESP3 {@code %pairs\r\n}; in RESP2 a map is an array of keys and values, {@code *2n\r\n}, as Redis
     * sends it. Followed by {@code 2 * pairs} replies the caller writes.
     */
    public static ByteBuf mapHeader(ByteBufAllocator alloc, Protocol protocol, int pairs) {
        checkCount(pairs);
        if (protocol == Protocol.RESP3) {
            return header(alloc, '%', pairs);
        }
        return header(alloc, '*', 2L * pairs);
    }

    /** RESP3 {@code ~n\r\n}; a RESP2 client gets an array, as from Redis. */
    public static ByteBuf setHeader(ByteBufAllocator alloc, Protocol protocol, int count) {
        return header(alloc, protocol == Protocol.RESP3 ? '~' : '*', checkCount(count));
    }

    private static int checkCount(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("negative count: " + count);
        }
        return count;
    }

    private static ByteBuf header(ByteBufAllocator alloc, char marker, long count) {
        ByteBuf buf = alloc.buffer(23);
        buf.writeByte(marker);
        writeLong(buf, count);
        buf.writeBytes(CRLF);
        return buf;
    }

    private static ByteBuf line(ByteBufAllocator alloc, char marker, String text) {
        int length = ByteBufUtil.utf8Bytes(text);
        ByteBuf buf = alloc.buffer(length + 3);
        buf.writeByte(marker);
        int start = buf.writerIndex();
        ByteBufUtil.reserveAndWriteUtf8(buf, text, length);
        // UTF-8 never encodes a CR or LF inside a multi-byte sequence, so bytewise replacement is safe.
        for (int i = start; i < buf.writerIndex(); i++) {
            byte b = buf.getByte(i);
            if (b == '\r' || b == '\n') {
                buf.setByte(i, ' ');
            }
        }
        buf.writeBytes(CRLF);
        return buf;
    }

    /** Writes {@code value} in decimal without building a String. */
    static void writeLong(ByteBuf buf, long value) {
        if (value < 0) {
            buf.writeByte('-');
            if (value == Long.MIN_VALUE) {
                buf.writeCharSequence("9223372036854775808", StandardCharsets.US_ASCII);
                return;
            }
            value = -value;
        }
        RequestDecoder.writeDecimal(buf, value);
    }

    /** A shared constant: direct so writes need no copy, never leak-tracked, read-only and unreleasable. */
    private static ByteBuf constant(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct).asReadOnly());
    }
}
