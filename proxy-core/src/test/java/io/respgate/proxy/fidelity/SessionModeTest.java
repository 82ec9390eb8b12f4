package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static io.respgate.proxy.fidelity.Fidelity.mb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Commands whose meaning depends on a mode a command before them changes (RESP2 with a subscription:
 * Redis refuses MULTI, CLIENT REPLY, AUTH and HELLO), pipelined behind that command, so that RespGate
 * must wait for Redis's answer before it can handle them as Redis does. Each input goes to Redis and
 * to RespGate, and the replies must be the same bytes.
 */
@ExtendWith(ProxyExtension.class)
@Timeout(30)
class SessionModeTest {
    private static final String NOT_WHILE_SUBSCRIBED = "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET"
            + " are allowed in this context\r\n";

    private static List<String> same(ProxiedRedis redis, String bytes, int replies) throws Exception {
        List<String> direct = Fidelity.replies(redis.redisPort(), bytes, replies);
        assertEquals(direct, Fidelity.replies(redis.proxyPort(), bytes, replies));
        return direct;
    }

    @Test
    void aMultiPipelinedBehindSubscribeIsRefusedAndOpensNothing(ProxiedRedis redis) throws Exception {
        List<String> replies = same(redis, mb("SUBSCRIBE", "m:a") + mb("MULTI") + mb("UNSUBSCRIBE") + mb("EXEC")
                + mb("PING"), 5);
        assertEquals("-ERR Can't execute 'multi" + NOT_WHILE_SUBSCRIBED, replies.get(1));
        assertEquals("-ERR EXEC without MULTI\r\n", replies.get(3));
    }

    @Test
    void aMultiPipelinedBehindTheLastUnsubscribeOpensATransaction(ProxiedRedis redis) throws Exception {
        List<String> replies = same(redis, mb("SUBSCRIBE", "m:b") + mb("UNSUBSCRIBE", "m:b") + mb("MULTI")
                + mb("NOSUCH") + mb("EXEC") + mb("PING"), 6);
        assertEquals("+OK\r\n", replies.get(2));
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", replies.get(4),
                "the error while queueing aborts the transaction RespGate saw opened");
        assertEquals("+PONG\r\n", replies.get(5));
    }

    @Test
    void aMultiPipelinedBehindResetOpensATransaction(ProxiedRedis redis) throws Exception {
        List<String> replies = same(redis, mb("PSUBSCRIBE", "m:*") + mb("RESET") + mb("MULTI") + mb("NOSUCH")
                + mb("EXEC"), 5);
        assertEquals("+RESET\r\n", replies.get(1));
        assertTrue(replies.get(4).startsWith("-EXECABORT"), replies.get(4));
    }

    @Test
    void authAndHelloPipelinedBehindSubscribeAreRefusedAsByRedis(ProxiedRedis redis) throws Exception {
        List<String> replies = same(redis, mb("SSUBSCRIBE", "m:c") + mb("AUTH", "default", "not-a-password")
                + mb("HELLO", "3") + mb("AUTH") + mb("HELLO", "2", "SETNAME", "x") + mb("PING"), 6);
        assertEquals("-ERR Can't execute 'auth" + NOT_WHILE_SUBSCRIBED, replies.get(1));
        assertEquals("-ERR Can't execute 'hello" + NOT_WHILE_SUBSCRIBED, replies.get(2));
        assertEquals("-ERR wrong number of arguments for 'auth' command\r\n", replies.get(3),
                "the arity is checked before the mode, as Redis does");
        assertEquals("*2\r\n$4\r\npong\r\n$0\r\n\r\n", replies.get(5));
    }

    /** A HELLO sent with replies off changes the protocol all the same: in RESP3 a subscriber may MULTI. */
    @Test
    void aHelloSentWithRepliesOffStillChangesTheProtocol(ProxiedRedis redis) throws Exception {
        List<String> replies = same(redis, mb("CLIENT", "REPLY", "OFF") + mb("HELLO", "3") + mb("CLIENT", "REPLY", "ON")
                + mb("SUBSCRIBE", "m:d") + mb("MULTI") + mb("NOSUCH") + mb("EXEC"), 5);
        assertEquals("+OK\r\n", replies.get(2), "RESP3 allows MULTI while subscribed");
        assertTrue(replies.get(4).startsWith("-EXECABORT"), replies.get(4));
    }

    /** A HELLO whose name Redis refuses switches nothing, answered or not. */
    @Test
    void aHelloWithABadNameSentWithRepliesOffChangesNothing(ProxiedRedis redis) throws Exception {
        List<String> replies = same(redis, mb("HELLO", "3", "SETNAME", "a b") + mb("CLIENT", "REPLY", "OFF")
                + mb("HELLO", "3", "SETNAME", "a b") + mb("CLIENT", "REPLY", "ON") + mb("SUBSCRIBE", "m:g") + mb("MULTI"), 4);
        assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", replies.get(0));
        assertEquals("-ERR Can't execute 'multi" + NOT_WHILE_SUBSCRIBED, replies.get(3), "still RESP2");
    }

    @Test
    void aHalfCloseBehindAHeldCommandComesAfterItsReply(ProxiedRedis redis) throws Exception {
        String bytes = mb("SUBSCRIBE", "m:e") + mb("MULTI") + mb("PING");
        List<List<String>> both = new ArrayList<>();
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port)) {
                c.send(bytes);
                c.socket().shutdownOutput();
                List<String> replies = Fidelity.read(c, 3);
                assertTrue(c.closedByPeer(), "port " + port);
                both.add(replies);
            }
        }
        assertEquals(both.get(0), both.get(1));
    }

    @Test
    void aProtocolErrorBehindAHeldCommandComesAfterItsReply(ProxiedRedis redis) throws Exception {
        String bytes = mb("SUBSCRIBE", "m:f") + mb("MULTI") + "*1\r\nx\r\n";
        List<List<String>> both = new ArrayList<>();
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port)) {
                c.send(bytes);
                List<String> replies = Fidelity.read(c, 3);
                assertTrue(c.closedByPeer(), "port " + port);
                both.add(replies);
            }
        }
        assertEquals(both.get(0), both.get(1));
        assertTrue(both.get(1).get(2).startsWith("-ERR Protocol error"), both.get(1).get(2));
    }
}
