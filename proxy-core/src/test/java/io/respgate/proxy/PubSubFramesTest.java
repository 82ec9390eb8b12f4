package io.respgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PubSubFramesTest {

    @Test
    void recognisesPublishedMessagesInBothProtocols() {
        assertTrue(check("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"));
        assertTrue(check(">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n"));
        assertTrue(check("*3\r\n$8\r\nsmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"));
        assertFalse(check("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"));
        assertFalse(check("*2\r\n$7\r\nmessagX\r\n$1\r\nx\r\n"));
        assertFalse(check("*2\r\n:1\r\n:2\r\n"), "an array of integers is a reply");
        assertFalse(check("$7\r\nmessage\r\n"), "a bulk string is no message");
        assertFalse(check("*0\r\n"));
    }

    @Test
    void readsConfirmationKindAndCount() {
        ByteBuf sub = buf("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:12\r\n");
        ByteBuf unsubNull = buf(">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
        ByteBuf punsubNil = buf("*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:3\r\n");
        ByteBuf reply = buf("*3\r\n$3\r\nfoo\r\n$2\r\nch\r\n:1\r\n");
        try {
            assertEquals(CommandKind.SUBSCRIBE, PubSubFrames.confirmationKind(sub, 0));
            assertEquals(12, PubSubFrames.confirmationCount(sub, 0));
            assertEquals(CommandKind.UNSUBSCRIBE, PubSubFrames.confirmationKind(unsubNull, 0));
            assertEquals(0, PubSubFrames.confirmationCount(unsubNull, 0));
            assertEquals(CommandKind.PUNSUBSCRIBE, PubSubFrames.confirmationKind(punsubNil, 0));
            assertEquals(3, PubSubFrames.confirmationCount(punsubNil, 0));
            assertNull(PubSubFrames.confirmationKind(reply, 0));
        } finally {
            sub.release();
            unsubNull.release();
            punsubNil.release();
            reply.release();
        }
    }

    @Test
    void framesAreReadAtTheirIndexNotAtTheBufferStart() {
        ByteBuf twoFrames = buf("+OK\r\n*3\r\n$8\r\npmessage\r\n$1\r\np\r\n$1\r\nc\r\n");
        try {
            assertTrue(PubSubFrames.isMessage(twoFrames, 5));
        } finally {
            twoFrames.release();
        }
    }

    @Test
    void subscriptionCountsFollowRedisConfirmations() {
        Subscriptions subs = new Subscriptions();
        subs.confirm(CommandKind.SUBSCRIBE, 1);
        subs.confirm(CommandKind.SUBSCRIBE, 2);
        subs.confirm(CommandKind.PSUBSCRIBE, 3);
        assertEquals(2, subs.remaining(CommandKind.UNSUBSCRIBE));
        assertEquals(1, subs.remaining(CommandKind.PUNSUBSCRIBE));
        subs.confirm(CommandKind.UNSUBSCRIBE, 2);
        subs.confirm(CommandKind.UNSUBSCRIBE, 1);
        assertEquals(0, subs.remaining(CommandKind.UNSUBSCRIBE));
        assertTrue(subs.any(), "the pattern is still there");
        subs.confirm(CommandKind.SSUBSCRIBE, 1);
        subs.confirm(CommandKind.PUNSUBSCRIBE, 0);
        assertEquals(1, subs.remaining(CommandKind.SUNSUBSCRIBE));
        subs.confirm(CommandKind.SUNSUBSCRIBE, 0);
        assertFalse(subs.any());
    }

    private static boolean check(String frame) {
        ByteBuf b = buf(frame);
        try {
            return PubSubFrames.isMessage(b, 0);
        } finally {
            b.release();
        }
    }

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }
}
