package io.respgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplyOrdererTest {

    @Test
    void slotsLeaveInTheOrderTheyWereTakenAcrossGrowth() {
        ReplyOrderer orderer = new ReplyOrderer(8);
        List<ByteBuf> locals = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            if (i % 3 == 0) {
                ByteBuf local = Unpooled.buffer(1).writeByte(i);
                locals.add(local);
                orderer.addLocal(local);
            } else {
                orderer.addUpstream(ReplyEffect.NONE, i);
            }
        }
        assertEquals(100, orderer.size());
        int nextLocal = 0;
        for (int i = 0; i < 100; i++) {
            if (i % 3 == 0) {
                assertEquals(ReplyOrderer.LOCAL, orderer.headKind());
                ByteBuf polled = orderer.pollLocal();
                assertSame(locals.get(nextLocal++), polled);
                polled.release();
            } else {
                assertEquals(ReplyOrderer.UPSTREAM, orderer.headKind());
                assertEquals(i, orderer.headExpected());
                orderer.removeHead();
            }
        }
        assertTrue(orderer.isEmpty());
    }

    @Test
    void releaseAllReleasesRepliesThatNeverLeft() {
        ReplyOrderer orderer = new ReplyOrderer(8);
        ByteBuf a = Unpooled.buffer(4);
        ByteBuf b = Unpooled.buffer(4);
        orderer.addUpstream(ReplyEffect.NONE, 1);
        orderer.addLocal(a);
        orderer.addInternal(ReplyEffect.UPSTREAM_AUTH);
        orderer.addLocal(b);
        orderer.releaseAll();
        assertEquals(0, a.refCnt());
        assertEquals(0, b.refCnt());
        assertTrue(orderer.isEmpty());
    }

    @Test
    void headOperationsCheckTheSlotKind() {
        ReplyOrderer orderer = new ReplyOrderer(8);
        orderer.addUpstream(ReplyEffect.NONE, 1);
        assertThrows(IllegalStateException.class, orderer::pollLocal);
        orderer.removeHead();
        ByteBuf local = Unpooled.buffer(1);
        orderer.addLocal(local);
        assertThrows(IllegalStateException.class, orderer::removeHead);
        orderer.releaseAll();
        assertEquals(0, local.refCnt());
    }

    @Test
    void aDeepQueueGivesItsMemoryBackOnceEmpty() {
        ReplyOrderer orderer = new ReplyOrderer(8);
        int initial = orderer.capacity();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 100_000; i++) {
                orderer.addUpstream(ReplyEffect.NONE, i);
            }
            for (int i = 0; i < 100_000; i++) {
                assertEquals(i, orderer.headExpected());
                orderer.removeHead();
            }
            assertTrue(orderer.isEmpty());
            assertEquals(initial, orderer.capacity(), "shrunk back to its first size");
        }
    }

    @Test
    void theModeCountFollowsEverySlotKindInAndOut() {
        ReplyOrderer orderer = new ReplyOrderer(4);
        assertFalse(orderer.modeChangesPending());
        orderer.addInternal(ReplyEffect.RESET);
        orderer.addSilent(ReplyEffect.HELLO_3);
        orderer.addLocal(Unpooled.buffer(1).writeByte('x'));
        assertTrue(orderer.modeChangesPending());
        orderer.removeHead();
        assertTrue(orderer.modeChangesPending(), "the silent HELLO still waits its turn");
        assertEquals(null, orderer.pollLocal());
        assertFalse(orderer.modeChangesPending());
        orderer.pollLocal().release();
        orderer.addUpstream(ReplyEffect.SUBSCRIPTION, 2);
        assertTrue(orderer.modeChangesPending(), "an internal slot taken out must not offset a later one");
        orderer.addUpstream(ReplyEffect.NONE, 1);
        orderer.releaseAll();
        assertFalse(orderer.modeChangesPending());
    }
}
