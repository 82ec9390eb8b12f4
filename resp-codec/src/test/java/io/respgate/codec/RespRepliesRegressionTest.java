package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Local error replies found to differ from Redis's by the proxy's differential fuzzer. */
class RespRepliesRegressionTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    /**
     * An error quoting client bytes of 0x80 and above (an unknown command whose arguments are not ASCII,
     * {@code expected '$', got '\xff'}) went out UTF-8 encoded, two bytes for one: Redis sends the bytes as
     * they are, and the texts hold them one char per byte.
     */
    @Test
    void errorTextsAreWrittenOneBytePerChar() {
        assertBytes("2d45525220756e6b6e6f776e20636f6d6d616e642027c8ff270d0a",
                RespReplies.error(ALLOC, "ERR unknown command '\u00c8\u00ff'"));
        ProtocolViolation v = new ProtocolViolation("Protocol error: expected '$', got '\u00ff'");
        assertBytes(ByteBufUtil.hexDump(v.redisErrorBytes()), RespReplies.error(ALLOC, "ERR " + v.message()));
        assertBytes("2d455252206120206220633f0d0a", RespReplies.error(ALLOC, "ERR a\r\nb\nc\u20ac"));
    }

    private static void assertBytes(String hex, ByteBuf reply) {
        try {
            assertEquals(hex, ByteBufUtil.hexDump(reply));
        } finally {
            reply.release();
        }
    }
}
