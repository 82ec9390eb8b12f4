package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import static io.respgate.codec.Protocol.RESP2;
import static io.respgate.codec.Protocol.RESP3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RespRepliesTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @Test
    void encodesScalars() {
        assertReply("+OK\r\n", RespReplies.simpleString(ALLOC, "OK"));
        assertReply("+caf\u00c3\u00a9\r\n", RespReplies.simpleString(ALLOC, "caf\u00e9"));
        assertReply("-ERR unknown command\r\n", RespReplies.error(ALLOC, "ERR unknown command"));
        assertReply("-NOAUTH Authentication required.\r\n", RespReplies.error(ALLOC, "NOAUTH Authentication required."));
        assertReply("-ERR a  b\r\n", RespReplies.error(ALLOC, "ERR a\r\nb"));
        assertReply(":0\r\n", RespReplies.integer(ALLOC, 0));
        assertReply(":1\r\n", RespReplies.integer(ALLOC, 1));
        assertReply(":42\r\n", RespReplies.integer(ALLOC, 42));
        assertReply(":-7\r\n", RespReplies.integer(ALLOC, -7));
        assertReply(":9223372036854775807\r\n", RespReplies.integer(ALLOC, Long.MAX_VALUE));
        assertReply(":-9223372036854775808\r\n", RespReplies.integer(ALLOC, Long.MIN_VALUE));
        assertReply(":1\r\n", RespReplies.bool(ALLOC, RESP2, true));
        assertReply(":0\r\n", RespReplies.bool(ALLOC, RESP2, false));
        assertReply("#t\r\n", RespReplies.bool(ALLOC, RESP3, true));
        assertReply("#f\r\n", RespReplies.bool(ALLOC, RESP3, false));
    }

    @Test
    void encodesBulks() {
        assertReply("$5\r\nhello\r\n", RespReplies.bulk(ALLOC, "hello"));
        assertReply("$0\r\n\r\n", RespReplies.bulk(ALLOC, ""));
        assertReply("$2\r\n\u00c3\u00a9\r\n", RespReplies.bulk(ALLOC, "\u00e9"));
        assertReply("$4\r\na\r\n\0\r\n", RespReplies.bulk(ALLOC, new byte[] {'a', '\r', '\n', 0}));
        assertReply("$1000\r\n" + "x".repeat(1000) + "\r\n", RespReplies.bulk(ALLOC, "x".repeat(1000)));
    }

    @Test
    void encodesNullsPerProtocol() {
        assertReply("$-1\r\n", RespReplies.nullBulk(RESP2));
        assertReply("_\r\n", RespReplies.nullBulk(RESP3));
        assertReply("*-1\r\n", RespReplies.nullArray(RESP2));
        assertReply("_\r\n", RespReplies.nullArray(RESP3));
    }

    @Test
    void encodesAggregateHeadersPerProtocol() {
        assertReply("*3\r\n", RespReplies.arrayHeader(ALLOC, 3));
        assertReply("*0\r\n", RespReplies.arrayHeader(ALLOC, 0));
        assertReply("%2\r\n", RespReplies.mapHeader(ALLOC, RESP3, 2));
        assertReply("*4\r\n", RespReplies.mapHeader(ALLOC, RESP2, 2));
        assertReply("~5\r\n", RespReplies.setHeader(ALLOC, RESP3, 5));
        assertReply("*5\r\n", RespReplies.setHeader(ALLOC, RESP2, 5));
        assertThrows(IllegalArgumentException.class, () -> RespReplies.arrayHeader(ALLOC, -1));
    }

    @Test
    void sharedConstantsAreIndependentReadOnlyAndUnreleasable() {
        for (Supplier<ByteBuf> constant : java.util.List.<Supplier<ByteBuf>>of(RespReplies::ok, RespReplies::pong,
                RespReplies::queued, RespReplies::emptyArray)) {
            ByteBuf first = constant.get();
            ByteBuf second = constant.get();
            first.skipBytes(first.readableBytes());
            assertEquals(0, second.readerIndex());
            assertThrows(ReadOnlyBufferException.class, () -> second.setByte(0, 'x'));
            assertFalse(second.release());
            assertEquals(1, second.refCnt());
        }
        assertReply("+OK\r\n", RespReplies.ok());
        assertReply("+PONG\r\n", RespReplies.pong());
        assertReply("+QUEUED\r\n", RespReplies.queued());
        assertReply("*0\r\n", RespReplies.emptyArray());
    }

    @Test
    void protocolFromHelloVersion() {
        assertEquals(RESP2, Protocol.ofVersion(2));
        assertEquals(RESP3, Protocol.ofVersion(3));
        assertNull(Protocol.ofVersion(4));
    }

    @Test
    void encodedRepliesAreWholeFramesForTheScanner() {
        ReplyScanner scanner = new ReplyScanner(4, 1 << 20);
        ByteBuf map = RespReplies.mapHeader(ALLOC, RESP3, 1);
        ByteBuf key = RespReplies.bulk(ALLOC, "k");
        try {
            map.writeBytes(key, key.readerIndex(), key.readableBytes()).writeBytes(RespReplies.nullBulk(RESP3));
        } finally {
            key.release();
        }
        try {
            assertEquals(map.readableBytes(), scanner.nextFrame(map));
            assertEquals('%', scanner.lastFrameType());
        } finally {
            map.release();
        }
    }

    private static void assertReply(String expected, ByteBuf reply) {
        try {
            assertEquals(expected, reply.toString(StandardCharsets.ISO_8859_1));
        } finally {
            reply.release();
        }
    }
}
