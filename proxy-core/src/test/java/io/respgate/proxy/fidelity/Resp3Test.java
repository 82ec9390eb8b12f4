package io.respgate.proxy.fidelity;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.RedisArgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.respgate.proxy.fidelity.Fidelity.bulk;
import static io.respgate.proxy.fidelity.Fidelity.mb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RESP3 through the proxy: HELLO, push frames among replies, client tracking, Lettuce. */
@ExtendWith(ProxyExtension.class)
@Timeout(60)
class Resp3Test {

    private static String push(String... parts) {
        StringBuilder sb = new StringBuilder(">" + parts.length + "\r\n");
        for (String part : parts) {
            sb.append(part.startsWith(":") ? part + "\r\n" : bulk(part));
        }
        return sb.toString();
    }

    /** HELLO 3's map with the connection id blanked out, since each connection has its own. */
    private static String hello3(int port) throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            String reply = c.call("HELLO", "3");
            assertEquals("%1\r\n$1\r\nf\r\n$1\r\nv\r\n", hgetall(c), "the connection speaks RESP3 now");
            return reply.replaceAll("\\$2\r\nid\r\n:\\d+\r\n", "\\$2\r\nid\r\n:ID\r\n");
        }
    }

    private static String hgetall(RawConnection c) throws IOException {
        return c.call("HGETALL", "h3");
    }

    @Test
    void helloThreeAnswersWithAMapLikeRedis(ProxiedRedis redis) throws Exception {
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals(":1\r\n", d.call("HSET", "h3", "f", "v"));
        }
        String viaProxy = hello3(redis.proxyPort());
        assertTrue(viaProxy.startsWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n"), viaProxy);
        assertTrue(viaProxy.contains("$5\r\nproto\r\n:3\r\n"), viaProxy);
        assertEquals(hello3(redis.redisPort()), viaProxy);
        try (RawConnection c = new RawConnection(redis.proxyPort())) {
            c.call("HELLO", "3");
            assertTrue(c.call("HELLO", "2").startsWith("*14\r\n"));
            assertEquals("*2\r\n$1\r\nf\r\n$1\r\nv\r\n", hgetall(c), "back to RESP2");
        }
    }

    @Test
    void pushMessagesInterleaveWithReplies(ProxiedRedis redis) throws Exception {
        try (RawConnection c = new RawConnection(redis.proxyPort());
             RawConnection pub = new RawConnection(redis.proxyPort())) {
            assertTrue(c.call("HELLO", "3").startsWith("%7\r\n"));
            assertEquals("+OK\r\n", c.call("SET", "k", "v"));
            c.command("SUBSCRIBE", "ch");
            assertEquals(push("subscribe", "ch", ":1"), c.readReply());
            assertEquals("$1\r\nv\r\n", c.call("GET", "k"), "RESP3 allows normal commands while subscribed");

            assertEquals(":1\r\n", pub.call("PUBLISH", "ch", "m0"));
            c.command("GET", "k");
            assertEquals(push("message", "ch", "m0"), c.readReply(), "published before the GET was sent");
            assertEquals("$1\r\nv\r\n", c.readReply());

            int n = 300;
            CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 1; i <= n; i++) {
                        assertEquals(":1\r\n", pub.call("PUBLISH", "ch", "m" + i));
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            for (int batch = 0; batch < n / 10; batch++) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 10; i++) {
                    sb.append(mb("INCR", "count"));
                }
                c.send(sb.toString());
                Thread.sleep(1);
            }
            int nextMessage = 1;
            int nextCount = 1;
            for (int frame = 0; frame < 2 * n; frame++) {
                String reply = c.readReply();
                if (reply.startsWith(">")) {
                    assertEquals(push("message", "ch", "m" + nextMessage++), reply);
                } else {
                    assertEquals(":" + nextCount++ + "\r\n", reply);
                }
            }
            publisher.get(10, TimeUnit.SECONDS);
            assertEquals(n + 1, nextMessage);
            assertEquals(n + 1, nextCount);

            c.command("UNSUBSCRIBE");
            assertEquals(push("unsubscribe", "ch", ":0"), c.readReply());
            assertEquals("$3\r\n300\r\n", c.call("GET", "count"));
        }
    }

    private static void trackingScript(int port, int otherPort) throws Exception {
        try (RawConnection c = new RawConnection(port); RawConnection other = new RawConnection(otherPort)) {
            assertTrue(c.call("HELLO", "3").startsWith("%7\r\n"));
            assertEquals("+OK\r\n", c.call("CLIENT", "TRACKING", "ON"));
            assertEquals("+OK\r\n", other.call("SET", "tk", "1"));
            assertEquals("$1\r\n1\r\n", c.call("GET", "tk"));
            assertEquals("+OK\r\n", other.call("SET", "tk", "2"));
            assertEquals(">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\ntk\r\n", c.readReply());
            assertEquals("$1\r\n2\r\n", c.call("GET", "tk"));
            assertEquals("+OK\r\n", c.call("CLIENT", "TRACKING", "OFF"));
            assertEquals("+OK\r\n", other.call("SET", "tk", "3"));
            assertEquals("+PONG\r\n", c.call("PING"), "no invalidation after tracking is off");
        }
    }

    @Test
    void clientTrackingInvalidationPush(ProxiedRedis redis) throws Exception {
        trackingScript(redis.redisPort(), redis.redisPort());
        trackingScript(redis.proxyPort(), redis.proxyPort());
    }

    /**
     * Deterministic form of the bug below: a client that tracks a key and modifies it itself gets
     * its invalidation push right after the command's reply, so the push reaches the proxy while
     * the pipelined SUBSCRIBE waits for its confirmation. The push must not complete that slot.
     */
    private static List<String> selfInvalidationThenSubscribeAndQuit(int port) throws Exception {
        try (RawConnection c = new RawConnection(port, 5000)) {
            assertTrue(c.call("HELLO", "3").startsWith("%7\r\n"));
            assertEquals("+OK\r\n", c.call("CLIENT", "TRACKING", "ON"));
            assertEquals("+OK\r\n", c.call("SET", "self", "1"));
            assertEquals("$1\r\n1\r\n", c.call("GET", "self"));
            c.send(mb("SET", "self", "2") + mb("SUBSCRIBE", "b") + mb("QUIT"));
            List<String> frames = new ArrayList<>();
            try {
                while (true) {
                    frames.add(c.readReply());
                }
            } catch (IOException closed) {
                return frames;
            }
        }
    }

    @Test
    void invalidationPushDoesNotCompleteAPendingSubscribe(ProxiedRedis redis) throws Exception {
        List<String> direct = selfInvalidationThenSubscribeAndQuit(redis.redisPort());
        assertEquals(List.of("+OK\r\n", ">2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\nself\r\n",
                push("subscribe", "b", ":1"), "+OK\r\n"), direct);
        assertEquals(direct, selfInvalidationThenSubscribeAndQuit(redis.proxyPort()));
    }

    /**
     * A message for an existing subscription that arrives while a second SUBSCRIBE waits for its
     * confirmation must not count as that confirmation: QUIT's +OK must come after it, as from Redis.
     */
    private static List<String> subscribeThenQuitUnderPublishFlood(int port, int publisherPort) throws Exception {
        try (RawConnection c = new RawConnection(port); RawConnection pub = new RawConnection(publisherPort)) {
            assertTrue(c.call("HELLO", "3").startsWith("%7\r\n"));
            c.command("SUBSCRIBE", "busy");
            assertEquals(push("subscribe", "busy", ":1"), c.readReply());
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                try {
                    String batch = mb("PUBLISH", "busy", "x").repeat(50);
                    for (int round = 0; round < 100 && !stop.get(); round++) { // bounded: the reader must be able to catch up
                        pub.send(batch);
                        Fidelity.read(pub, 50);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(50);
            c.send(mb("SUBSCRIBE", "quiet") + mb("QUIT"));
            List<String> nonMessages = new ArrayList<>();
            try {
                while (true) {
                    String frame = c.readReply();
                    if (!frame.equals(push("message", "busy", "x"))) {
                        nonMessages.add(frame);
                    }
                }
            } catch (IOException closed) {
                // end of stream: QUIT closed the connection
            } finally {
                stop.set(true);
                flood.get(10, TimeUnit.SECONDS);
            }
            return nonMessages;
        }
    }

    @Test
    void subscriptionConfirmationIsNotCompletedByAMessagePush(ProxiedRedis redis) throws Exception {
        List<String> expected = List.of(push("subscribe", "quiet", ":2"), "+OK\r\n");
        assertEquals(expected, subscribeThenQuitUnderPublishFlood(redis.redisPort(), redis.redisPort()));
        for (int attempt = 0; attempt < 5; attempt++) {
            assertEquals(expected, subscribeThenQuitUnderPublishFlood(redis.proxyPort(), redis.redisPort()),
                    "attempt " + attempt);
        }
    }

    @Test
    void lettuceResp3CommandsAndPubSub(ProxiedRedis redis) throws Exception {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost(ProxiedRedis.HOST)
                .withPort(redis.proxyPort()).withTimeout(Duration.ofSeconds(10)).build());
        try (StatefulRedisConnection<String, String> conn = client.connect();
             StatefulRedisPubSubConnection<String, String> ps = client.connectPubSub()) {
            RedisCommands<String, String> sync = conn.sync();
            assertEquals("OK", sync.set("lk", "lv"));
            assertEquals("lv", sync.get("lk"));
            assertEquals(3L, sync.incrby("ln", 3));
            assertEquals(2L, (long) sync.hset("lh", Map.of("a", "1", "b", "2")));
            assertEquals(Map.of("a", "1", "b", "2"), sync.hgetall("lh"));
            assertEquals(List.of("x", "y"), sync.lrange(pushed(sync), 0, -1));
            String clientList;
            try (RawConnection d = new RawConnection(redis.redisPort())) {
                clientList = d.call("CLIENT", "LIST");
            }
            assertTrue(clientList.contains("resp=3"), "Lettuce negotiated RESP3 through the proxy: " + clientList);

            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            ps.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    received.add(channel + ":" + message);
                }

                @Override
                public void message(String pattern, String channel, String message) {
                    received.add(pattern + "|" + channel + ":" + message);
                }
            });
            ps.sync().subscribe("lc1", "lc2");
            ps.sync().psubscribe("lp.*");
            assertEquals(1L, sync.publish("lc2", "hello"));
            assertEquals(1L, sync.publish("lp.z", "pattern"));
            assertEquals("lc2:hello", received.poll(5, TimeUnit.SECONDS));
            assertEquals("lp.*|lp.z:pattern", received.poll(5, TimeUnit.SECONDS));
            assertEquals("lv", ps.sync().get("lk"), "a normal command on the subscribed RESP3 connection");
            ps.sync().unsubscribe("lc1", "lc2");
            ps.sync().punsubscribe("lp.*");
            assertEquals(0L, sync.publish("lc2", "nobody"));
            assertEquals("PONG", ps.sync().ping());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
    }

    private static String pushed(RedisCommands<String, String> sync) {
        assertEquals(2L, sync.rpush("ll", "x", "y"));
        return "ll";
    }

    @Test
    void protocolSwitchesInsideOnePipeline(ProxiedRedis redis) throws Exception {
        String bytes = mb("HSET", "hp", "f", "v") + mb("HELLO", "3") + mb("HGETALL", "hp") + mb("SUBSCRIBE", "x")
                + mb("GET", "hp") + mb("HELLO", "2") + mb("HGETALL", "hp") + mb("RESET") + mb("HGETALL", "hp");
        List<String> direct = Fidelity.replies(redis.redisPort(), bytes, 9);
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("+OK\r\n", d.call("FLUSHALL"));
        }
        List<String> viaProxy = Fidelity.replies(redis.proxyPort(), bytes, 9);
        assertEquals("%1\r\n$1\r\nf\r\n$1\r\nv\r\n", direct.get(2));
        assertEquals(push("subscribe", "x", ":1"), direct.get(3));
        assertEquals("*2\r\n$1\r\nf\r\n$1\r\nv\r\n", direct.get(8));
        for (int i : new int[] {0, 2, 3, 4, 6, 7, 8}) {
            assertEquals(direct.get(i), viaProxy.get(i), "reply " + i);
        }
        for (int i : new int[] {1, 5}) { // HELLO maps carry the connection id
            assertEquals(direct.get(i).replaceAll("id\r\n:\\d+", "id"), viaProxy.get(i).replaceAll("id\r\n:\\d+", "id"));
        }
    }

    @Test
    void largePushesAmongRepliesInResp3(ProxiedRedis redis) throws Exception {
        try (RawConnection c = new RawConnection(redis.proxyPort());
             RawConnection pub = new RawConnection(redis.proxyPort())) {
            assertTrue(c.call("HELLO", "3").startsWith("%7\r\n"));
            String value = "v".repeat(700_000);
            assertEquals("+OK\r\n", c.call("SET", "bigv", value));
            c.command("SUBSCRIBE", "bigch");
            assertEquals(push("subscribe", "bigch", ":1"), c.readReply());
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                batch.append(mb("PUBLISH", "bigch", Integer.toString(i).repeat(500_000)));
            }
            CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
                try {
                    pub.send(batch.toString());
                    for (int i = 0; i < 10; i++) {
                        assertEquals(":1\r\n", pub.readReply());
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            c.send(mb("GET", "bigv").repeat(10));
            int pushes = 0;
            int replies = 0;
            for (int frame = 0; frame < 20; frame++) {
                String reply = c.readReply();
                if (reply.startsWith(">")) {
                    assertEquals(push("message", "bigch", Integer.toString(pushes).repeat(500_000)), reply);
                    pushes++;
                } else {
                    assertEquals(bulk(value), reply, "reply " + replies);
                    replies++;
                }
            }
            publisher.get(10, TimeUnit.SECONDS);
            assertEquals(10, pushes);
            assertEquals(10, replies);
        }
    }

    /** Every reply type Redis can produce, in both protocols, byte for byte as Redis sends it. */
    @Test
    @RedisArgs({"--enable-debug-command", "yes"})
    void everyReplyTypeIsForwardedByteExact(ProxiedRedis redis) throws Exception {
        String[] types = {"string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib",
            "push", "verbatim", "true", "false"};
        for (String protocol : new String[] {"2", "3"}) {
            List<List<String>> runs = new ArrayList<>();
            for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
                try (RawConnection c = new RawConnection(port)) {
                    c.call("HELLO", protocol);
                    StringBuilder pipeline = new StringBuilder();
                    for (String type : types) {
                        pipeline.append(mb("DEBUG", "PROTOCOL", type));
                    }
                    pipeline.append(mb("PING"));
                    c.send(pipeline.toString());
                    // in RESP3 "push" sends a push frame and then +OK
                    runs.add(Fidelity.read(c, types.length + 1 + (protocol.equals("3") ? 1 : 0)));
                }
            }
            List<String> direct = runs.get(0);
            assertEquals("+PONG\r\n", direct.get(direct.size() - 1), "RESP" + protocol + " " + direct);
            assertEquals(direct, runs.get(1), "RESP" + protocol);
        }
    }

    @Test
    void unsubscribeAllWithoutSubscriptionsInResp3(ProxiedRedis redis) throws Exception {
        String bytes = mb("HELLO", "3") + mb("UNSUBSCRIBE") + mb("PUNSUBSCRIBE") + mb("SUNSUBSCRIBE")
                + mb("SET", "k", "v") + mb("GET", "k");
        List<String> direct = Fidelity.replies(redis.redisPort(), bytes, 6).subList(1, 6);
        assertEquals(List.of(">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n", ">3\r\n$12\r\npunsubscribe\r\n_\r\n:0\r\n",
                ">3\r\n$12\r\nsunsubscribe\r\n_\r\n:0\r\n", "+OK\r\n", "$1\r\nv\r\n"), direct);
        assertEquals(direct, Fidelity.replies(redis.proxyPort(), bytes, 6).subList(1, 6));
    }

    @Test
    void jedisOverResp3(ProxiedRedis redis) {
        try (Jedis p = new Jedis(ProxiedRedis.HOST, redis.proxyPort(), DefaultJedisClientConfig.builder()
                .timeoutMillis(10_000).protocol(RedisProtocol.RESP3).build())) {
            assertEquals("OK", p.set("j3", "v"));
            assertEquals("v", p.get("j3"));
            assertEquals(2, p.hset("j3h", Map.of("a", "1", "b", "2")));
            assertEquals(Map.of("a", "1", "b", "2"), p.hgetAll("j3h"));
            assertEquals(1.5, p.incrByFloat("j3f", 1.5));
            assertEquals(2, p.sadd("j3s", "x", "y"));
            assertEquals(java.util.Set.of("x", "y"), p.smembers("j3s"));
        }
    }
}
