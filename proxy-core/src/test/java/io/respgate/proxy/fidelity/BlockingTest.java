package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.KeyValue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.respgate.proxy.fidelity.Fidelity.jedis;
import static io.respgate.proxy.fidelity.Fidelity.mb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Blocking commands hold only their own connection, and wake up with the right reply. */
@ExtendWith(ProxyExtension.class)
@Timeout(30)
class BlockingTest {

    private static void awaitBlocked(ProxiedRedis redis, int count) throws Exception {
        Fidelity.await(5000, count + " blocked client(s) in Redis",
                () -> Fidelity.infoLong(redis.redisPort(), "clients", "blocked_clients") == count);
    }

    @Test
    void blpopIsWokenByAPushFromAnotherClient(ProxiedRedis redis) throws Exception {
        try (RawConnection blocked = new RawConnection(redis.proxyPort());
             RawConnection pusher = new RawConnection(redis.proxyPort())) {
            blocked.command("BLPOP", "q1", "q2", "10");
            awaitBlocked(redis, 1);
            assertEquals(":2\r\n", pusher.call("RPUSH", "q2", "first", "second"));
            assertEquals("*2\r\n$2\r\nq2\r\n$5\r\nfirst\r\n", blocked.readReply());
            assertEquals("$6\r\nsecond\r\n", blocked.call("LPOP", "q2"), "the connection is in step afterwards");
        }
    }

    @Test
    void blpopTimesOutWithANullArrayLikeRedis(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port)) {
                long start = System.nanoTime();
                c.send(mb("BLPOP", "empty", "1") + mb("PING"));
                assertEquals("*-1\r\n", c.readReply(), "port " + port);
                long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(elapsedMs >= 900 && elapsedMs < 5000, "timed out after " + elapsedMs + " ms");
                assertEquals("+PONG\r\n", c.readReply(), "the pipelined PING waited behind BLPOP");
            }
        }
    }

    @Test
    void otherClientsAreServedWhileOneIsBlocked(ProxiedRedis redis) throws Exception {
        try (RawConnection blocked = new RawConnection(redis.proxyPort());
             RawConnection busy = new RawConnection(redis.proxyPort())) {
            blocked.command("BLPOP", "wait", "20");
            awaitBlocked(redis, 1);
            long start = System.nanoTime();
            for (int i = 1; i <= 500; i++) {
                assertEquals(":" + i + "\r\n", busy.call("INCR", "served"));
            }
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsedMs < 5000, "500 round trips took " + elapsedMs + " ms");
            try (Jedis j = jedis(redis.proxyPort())) {
                assertEquals(List.of("other", "late"), pushThenPop(j), "another client's BLPOP with data returns at once");
            }
            assertEquals(1, Fidelity.infoLong(redis.redisPort(), "clients", "blocked_clients"));
            assertEquals(":1\r\n", busy.call("RPUSH", "wait", "now"));
            assertEquals("*2\r\n$4\r\nwait\r\n$3\r\nnow\r\n", blocked.readReply());
        }
    }

    private static List<String> pushThenPop(Jedis j) {
        assertEquals(1, j.rpush("other", "late"));
        KeyValue<String, String> popped = j.blpop(1.0, "other");
        return List.of(popped.getKey(), popped.getValue());
    }

    @Test
    void jedisBlpopWokenByAnotherJedis(ProxiedRedis redis) throws Exception {
        try (Jedis waiter = jedis(redis.proxyPort()); Jedis pusher = jedis(redis.proxyPort())) {
            CompletableFuture<List<String>> popped = CompletableFuture.supplyAsync(() -> waiter.blpop(10, "jq"));
            awaitBlocked(redis, 1);
            assertFalse(popped.isDone());
            assertEquals(1, pusher.lpush("jq", "job"));
            assertEquals(List.of("jq", "job"), popped.get(5, TimeUnit.SECONDS));
            assertNull(waiter.blpop(1, "jq"), "a timed-out BLPOP is null for Jedis too");
            assertEquals("PONG", waiter.ping());
        }
    }
}
