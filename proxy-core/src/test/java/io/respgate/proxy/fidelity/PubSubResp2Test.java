package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.respgate.proxy.fidelity.Fidelity.bulk;
import static io.respgate.proxy.fidelity.Fidelity.jedis;
import static io.respgate.proxy.fidelity.Fidelity.mb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RESP2 pub/sub through the proxy, byte for byte the same as Redis. */
@ExtendWith(ProxyExtension.class)
@Timeout(30)
class PubSubResp2Test {

    private static String confirm(String kind, String channel, int count) {
        return "*3\r\n" + bulk(kind) + (channel == null ? "$-1\r\n" : bulk(channel)) + ":" + count + "\r\n";
    }

    private static String message(String channel, String payload) {
        return "*3\r\n" + bulk("message") + bulk(channel) + bulk(payload);
    }

    /**
     * The whole subscribe lifecycle on {@code port}, publishing from {@code publisherPort}. Every
     * frame is asserted literally, so running it against the proxy and Redis shows they agree.
     */
    private static void lifecycle(int port, int publisherPort) throws Exception {
        try (RawConnection sub = new RawConnection(port);
             RawConnection pub = new RawConnection(publisherPort)) {
            assertEquals("+OK\r\n", sub.call("SET", "plain", "value"));
            sub.command("SUBSCRIBE", "ch1", "ch2", "ch3");
            assertEquals(confirm("subscribe", "ch1", 1), sub.readReply());
            assertEquals(confirm("subscribe", "ch2", 2), sub.readReply());
            assertEquals(confirm("subscribe", "ch3", 3), sub.readReply());
            sub.command("PSUBSCRIBE", "news.*");
            assertEquals(confirm("psubscribe", "news.*", 4), sub.readReply());

            assertEquals(":1\r\n", pub.call("PUBLISH", "ch2", "hello"));
            assertEquals(message("ch2", "hello"), sub.readReply());
            assertEquals(":1\r\n", pub.call("PUBLISH", "news.tech", "a\r\nb"));
            assertEquals("*4\r\n" + bulk("pmessage") + bulk("news.*") + bulk("news.tech") + bulk("a\r\nb"),
                    sub.readReply());

            sub.command("PING");
            assertEquals("*2\r\n$4\r\npong\r\n$0\r\n\r\n", sub.readReply());
            sub.command("PING", "hi");
            assertEquals("*2\r\n$4\r\npong\r\n$2\r\nhi\r\n", sub.readReply());
            sub.command("GET", "plain");
            assertEquals("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                    + "are allowed in this context\r\n", sub.readReply());

            sub.command("UNSUBSCRIBE", "ch1");
            assertEquals(confirm("unsubscribe", "ch1", 3), sub.readReply());
            assertEquals(":0\r\n", pub.call("PUBLISH", "ch1", "gone"));
            assertEquals(":1\r\n", pub.call("PUBLISH", "ch3", "still"));
            assertEquals(message("ch3", "still"), sub.readReply());

            sub.command("UNSUBSCRIBE");
            Set<String> frames = new HashSet<>();
            frames.add(sub.readReply());
            frames.add(sub.readReply());
            // Redis walks its own dict, so the channel order is not fixed; the counts are.
            assertTrue(frames.equals(Set.of(confirm("unsubscribe", "ch2", 2), confirm("unsubscribe", "ch3", 1)))
                    || frames.equals(Set.of(confirm("unsubscribe", "ch3", 2), confirm("unsubscribe", "ch2", 1))),
                    frames.toString());
            sub.command("PUNSUBSCRIBE");
            assertEquals(confirm("punsubscribe", "news.*", 0), sub.readReply());

            assertEquals("$5\r\nvalue\r\n", sub.call("GET", "plain"), "normal mode again");
            assertEquals("+PONG\r\n", sub.call("PING"));
            assertEquals(":0\r\n", pub.call("PUBLISH", "ch2", "nobody"));
        }
    }

    @Test
    void subscribeLifecycleThroughProxy(ProxiedRedis redis) throws Exception {
        lifecycle(redis.proxyPort(), redis.proxyPort());
    }

    @Test
    void subscribeLifecycleDirectAgreesWithTheSameAssertions(ProxiedRedis redis) throws Exception {
        lifecycle(redis.redisPort(), redis.redisPort());
    }

    @Test
    void subscribeAndPingInOneWrite(ProxiedRedis redis) throws Exception {
        String bytes = mb("SUBSCRIBE", "a", "b") + mb("PING") + mb("UNSUBSCRIBE") + mb("GET", "k");
        List<String> expected = null;
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port)) {
                c.send(bytes);
                List<String> got = new ArrayList<>(Fidelity.read(c, 6));
                if (expected == null) {
                    expected = got;
                    assertEquals(confirm("subscribe", "a", 1), got.get(0));
                    assertEquals(confirm("subscribe", "b", 2), got.get(1));
                    assertEquals("*2\r\n$4\r\npong\r\n$0\r\n\r\n", got.get(2));
                    assertEquals("$-1\r\n", got.get(5));
                }
                // the two unsubscribe frames may come in either channel order
                List<String> sortedGot = new ArrayList<>(got.subList(3, 5));
                List<String> sortedExpected = new ArrayList<>(expected.subList(3, 5));
                Collections.sort(sortedGot);
                Collections.sort(sortedExpected);
                assertEquals(expected.subList(0, 3), got.subList(0, 3), "port " + port);
                assertEquals(sortedExpected, sortedGot);
                assertEquals(expected.get(5), got.get(5));
            }
        }
    }

    @Test
    void unsubscribeWithoutSubscriptionsAnswersOnceAndGetStillLinesUp(ProxiedRedis redis) throws Exception {
        String bytes = mb("UNSUBSCRIBE") + mb("PUNSUBSCRIBE") + mb("SET", "k", "v") + mb("GET", "k");
        List<String> direct = Fidelity.replies(redis.redisPort(), bytes, 4);
        assertEquals(List.of(confirm("unsubscribe", null, 0), confirm("punsubscribe", null, 0), "+OK\r\n",
                "$1\r\nv\r\n"), direct);
        assertEquals(direct, Fidelity.replies(redis.proxyPort(), bytes, 4));
    }

    @Test
    void punsubscribeAllWhileOnlyChannelsAndDuplicateSubscribe(ProxiedRedis redis) throws Exception {
        String bytes = mb("SUBSCRIBE", "x", "x", "y") + mb("PUNSUBSCRIBE") + mb("PSUBSCRIBE", "p1", "p2")
                + mb("PUNSUBSCRIBE", "p1") + mb("UNSUBSCRIBE", "x", "y", "z") + mb("PING");
        List<String> direct = Fidelity.replies(redis.redisPort(), bytes, 11);
        assertEquals(List.of(confirm("subscribe", "x", 1), confirm("subscribe", "x", 1), confirm("subscribe", "y", 2),
                confirm("punsubscribe", null, 2), confirm("psubscribe", "p1", 3), confirm("psubscribe", "p2", 4),
                confirm("punsubscribe", "p1", 3), confirm("unsubscribe", "x", 2), confirm("unsubscribe", "y", 1),
                confirm("unsubscribe", "z", 1), "*2\r\n$4\r\npong\r\n$0\r\n\r\n"), direct);
        assertEquals(direct, Fidelity.replies(redis.proxyPort(), bytes, 11));
    }

    @Test
    void jedisPubSub(ProxiedRedis redis) throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch subscribed = new CountDownLatch(3);
        CountDownLatch messages = new CountDownLatch(2);
        CountDownLatch pong = new CountDownLatch(1);
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int count) {
                events.add("subscribe " + channel + " " + count);
                subscribed.countDown();
            }

            @Override
            public void onPSubscribe(String pattern, int count) {
                events.add("psubscribe " + pattern + " " + count);
                subscribed.countDown();
            }

            @Override
            public void onMessage(String channel, String message) {
                events.add("message " + channel + " " + message);
                messages.countDown();
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                events.add("pmessage " + pattern + " " + channel + " " + message);
                messages.countDown();
            }

            @Override
            public void onPong(String message) {
                events.add("pong [" + message + "]");
                pong.countDown();
            }

            @Override
            public void onUnsubscribe(String channel, int count) {
                events.add("unsubscribe " + channel + " " + count);
            }

            @Override
            public void onPUnsubscribe(String pattern, int count) {
                events.add("punsubscribe " + pattern + " " + count);
            }
        };
        try (Jedis subscriber = jedis(redis.proxyPort()); Jedis publisher = jedis(redis.proxyPort())) {
            CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> subscriber.subscribe(listener, "j1", "j2"));
            Fidelity.await(5000, "subscribed to j1, j2", () -> subscribed.getCount() == 1);
            listener.psubscribe("jp.*");
            assertTrue(subscribed.await(5, TimeUnit.SECONDS));
            assertEquals(1, publisher.publish("j2", "m1"));
            assertEquals(1, publisher.publish("jp.x", "m2"));
            assertTrue(messages.await(5, TimeUnit.SECONDS));
            listener.ping();
            assertTrue(pong.await(5, TimeUnit.SECONDS));
            listener.unsubscribe("j1");
            Fidelity.await(5000, "unsubscribe j1", () -> events.contains("unsubscribe j1 2"));
            listener.unsubscribe();
            listener.punsubscribe();
            loop.get(5, TimeUnit.SECONDS);
            assertEquals(List.of("subscribe j1 1", "subscribe j2 2", "psubscribe jp.* 3", "message j2 m1",
                    "pmessage jp.* jp.x m2", "pong []", "unsubscribe j1 2", "unsubscribe j2 1", "punsubscribe jp.* 0"),
                    events);
            assertEquals("OK", subscriber.set("after", "pubsub"));
            assertEquals("pubsub", subscriber.get("after"), "the same connection works normally again");
            assertEquals(0, publisher.publish("j2", "nobody"));
        }
    }

    @Test
    void shardChannelsAlongsideClassicChannels(ProxiedRedis redis) throws Exception {
        String subscribe = mb("SSUBSCRIBE", "s1", "s2") + mb("SUBSCRIBE", "c1") + mb("PING");
        String unsubscribe = mb("SUNSUBSCRIBE") + mb("GET", "k") + mb("UNSUBSCRIBE") + mb("SET", "k", "v")
                + mb("GET", "k");
        List<List<String>> runs = new ArrayList<>();
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port); RawConnection pub = new RawConnection(port)) {
                c.send(subscribe);
                List<String> frames = new ArrayList<>(Fidelity.read(c, 4));
                frames.add(pub.call("SPUBLISH", "s2", "shard"));
                frames.add(c.readReply());
                frames.add(pub.call("PUBLISH", "c1", "classic"));
                frames.add(c.readReply());
                c.send(unsubscribe);
                List<String> rest = Fidelity.read(c, 6);
                frames.add(rest.get(2)); // GET while still subscribed to c1: refused
                frames.add(rest.get(3)); // unsubscribe c1
                frames.addAll(rest.subList(4, 6));
                Set<String> shardFrames = new HashSet<>(rest.subList(0, 2));
                assertTrue(shardFrames.equals(Set.of(confirm("sunsubscribe", "s1", 1), confirm("sunsubscribe", "s2", 0)))
                        || shardFrames.equals(Set.of(confirm("sunsubscribe", "s2", 1), confirm("sunsubscribe", "s1", 0))),
                        "port " + port + ": " + shardFrames);
                runs.add(frames);
            }
        }
        List<String> direct = runs.get(0);
        assertEquals(confirm("ssubscribe", "s1", 1), direct.get(0));
        assertEquals(confirm("subscribe", "c1", 1), direct.get(2));
        assertEquals("*3\r\n" + bulk("smessage") + bulk("s2") + bulk("shard"), direct.get(5));
        assertEquals(message("c1", "classic"), direct.get(7));
        assertEquals(List.of("+OK\r\n", "$1\r\nv\r\n"), direct.subList(10, 12));
        assertEquals(direct, runs.get(1));
    }

    @Test
    void largeMessagesArriveWholeAndInOrder(ProxiedRedis redis) throws Exception {
        try (RawConnection sub = new RawConnection(redis.proxyPort());
             RawConnection pub = new RawConnection(redis.proxyPort())) {
            sub.command("SUBSCRIBE", "big");
            assertEquals(confirm("subscribe", "big", 1), sub.readReply());
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                batch.append(mb("PUBLISH", "big", Character.toString('a' + i).repeat(300_000 + i)));
            }
            pub.send(batch.toString());
            for (int i = 0; i < 20; i++) {
                assertEquals(":1\r\n", pub.readReply());
            }
            for (int i = 0; i < 20; i++) {
                assertEquals(message("big", Character.toString('a' + i).repeat(300_000 + i)), sub.readReply(), "message " + i);
            }
            sub.command("PING", "after");
            assertEquals("*2\r\n$4\r\npong\r\n$5\r\nafter\r\n", sub.readReply());
        }
    }

    @Test
    void mixedSubscriptionCommandsInOnePipeline(ProxiedRedis redis) throws Exception {
        String bytes = mb("SUBSCRIBE", "a", "b") + mb("PSUBSCRIBE", "p1", "p2") + mb("UNSUBSCRIBE")
                + mb("SUBSCRIBE", "c") + mb("PUNSUBSCRIBE") + mb("PING", "mid") + mb("UNSUBSCRIBE", "c", "d")
                + mb("GET", "k");
        int frames = 2 + 2 + 2 + 1 + 2 + 1 + 2 + 1;
        List<String> direct = Fidelity.replies(redis.redisPort(), bytes, frames);
        List<String> viaProxy = Fidelity.replies(redis.proxyPort(), bytes, frames);
        assertEquals("$-1\r\n", direct.get(frames - 1));
        assertEquals("*2\r\n$4\r\npong\r\n$3\r\nmid\r\n", direct.get(9));
        // unsubscribe-all frames may name channels in another order; compare them as sets per command
        for (int[] group : new int[][] {{0, 4}, {4, 6}, {6, 7}, {7, 9}, {9, frames}}) {
            List<String> d = new ArrayList<>(direct.subList(group[0], group[1]));
            List<String> p = new ArrayList<>(viaProxy.subList(group[0], group[1]));
            if (group[0] == 4 || group[0] == 7) {
                d.replaceAll(f -> f.replaceAll("\\$1\r\n.\r\n|\\$2\r\np.\r\n", "NAME"));
                p.replaceAll(f -> f.replaceAll("\\$1\r\n.\r\n|\\$2\r\np.\r\n", "NAME"));
            }
            assertEquals(d, p, "frames " + group[0] + ".." + group[1]);
        }
    }

    /**
     * Redis 7 sends subscription confirmations and messages even under CLIENT REPLY SKIP/OFF (they
     * are pushes). Here SKIP precedes SUBSCRIBE, messages then flow, and PING + QUIT are pipelined:
     * a message must not be taken for PING's reply, or QUIT's +OK overtakes the real pong.
     */
    private static List<String> skipSubscribeThenPingQuit(int port, int publisherPort) throws Exception {
        try (RawConnection c = new RawConnection(port, 5000); RawConnection pub = new RawConnection(publisherPort)) {
            c.send(mb("CLIENT", "REPLY", "SKIP") + mb("SUBSCRIBE", "busy"));
            List<String> frames = new ArrayList<>();
            frames.add(c.readReply());
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                try {
                    String batch = mb("PUBLISH", "busy", "x").repeat(50);
                    for (int round = 0; round < 100 && !stop.get(); round++) { // bounded: the reader must be able to catch up
                        pub.send(batch);
                        Fidelity.read(pub, 50);
                    }
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(50);
            c.send(mb("PING") + mb("QUIT"));
            try {
                while (true) {
                    String frame = c.readReply();
                    if (!frame.equals(message("busy", "x"))) {
                        frames.add(frame);
                    }
                }
            } catch (java.io.IOException closed) {
                return frames;
            } finally {
                stop.set(true);
                flood.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void messagesAfterSkippedSubscribeAreNotTakenForReplies(ProxiedRedis redis) throws Exception {
        List<String> expected = List.of(confirm("subscribe", "busy", 1), "*2\r\n$4\r\npong\r\n$0\r\n\r\n", "+OK\r\n");
        assertEquals(expected, skipSubscribeThenPingQuit(redis.redisPort(), redis.redisPort()));
        for (int attempt = 0; attempt < 5; attempt++) {
            assertEquals(expected, skipSubscribeThenPingQuit(redis.proxyPort(), redis.redisPort()), "attempt " + attempt);
        }
    }
}
