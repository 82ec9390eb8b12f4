package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.resps.Tuple;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.respgate.proxy.fidelity.Fidelity.jedis;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every data type through the proxy with Jedis, cross-checked against the same Redis directly. */
@ExtendWith(ProxyExtension.class)
@Timeout(60)
class DataTypesTest {

    @Test
    void strings(ProxiedRedis redis) {
        try (Jedis p = jedis(redis.proxyPort()); Jedis d = jedis(redis.redisPort())) {
            assertEquals("OK", p.set("s:1", "hello"));
            assertEquals(11, p.append("s:1", " world"));
            assertEquals("hello world", p.get("s:1"));
            assertEquals("world", p.getrange("s:1", 6, -1));
            assertEquals(11, p.strlen("s:1"));
            assertEquals(5, p.incrBy("s:n", 5));
            assertEquals(3, p.decrBy("s:n", 2));
            assertEquals(3.5, p.incrByFloat("s:f", 3.5));
            assertEquals("OK", p.mset("s:a", "A", "s:b", "B"));
            assertEquals(List.of("A", "B"), p.mget("s:a", "s:b"));
            List<String> withMissing = p.mget("s:a", "s:missing", "s:b");
            assertEquals("A", withMissing.get(0));
            assertNull(withMissing.get(1));
            assertEquals(0, p.setnx("s:a", "other"));
            assertEquals("OK", p.setex("s:ttl", 100, "x"));
            long ttl = p.ttl("s:ttl");
            assertTrue(ttl > 90 && ttl <= 100, "ttl " + ttl);
            assertNull(p.get("s:missing"));
            // the same data seen directly
            assertEquals("hello world", d.get("s:1"));
            assertEquals("3", d.get("s:n"));
            assertEquals("3.5", d.get("s:f"));
            assertEquals(List.of("A", "B"), d.mget("s:a", "s:b"));
            assertTrue(d.ttl("s:ttl") > 90);
        }
    }

    @Test
    void hashes(ProxiedRedis redis) {
        try (Jedis p = jedis(redis.proxyPort()); Jedis d = jedis(redis.redisPort())) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i < 50; i++) {
                fields.put("f" + i, "v" + i);
            }
            assertEquals(50, p.hset("h", fields));
            assertEquals("v7", p.hget("h", "f7"));
            assertEquals(10, p.hincrBy("h", "count", 10));
            assertEquals(1, p.hdel("h", "f0"));
            assertEquals(50, p.hlen("h"));
            assertTrue(p.hexists("h", "f49"));
            assertFalse(p.hexists("h", "f0"));
            Map<String, String> all = p.hgetAll("h");
            assertEquals(d.hgetAll("h"), all);
            assertEquals("10", all.get("count"));
            assertEquals(49 + 1, all.size());
            assertEquals(List.of("v1", "v2"), p.hmget("h", "f1", "f2"));
        }
    }

    @Test
    void lists(ProxiedRedis redis) {
        try (Jedis p = jedis(redis.proxyPort()); Jedis d = jedis(redis.redisPort())) {
            assertEquals(3, p.rpush("l", "b", "c", "d"));
            assertEquals(4, p.lpush("l", "a"));
            assertEquals(List.of("a", "b", "c", "d"), p.lrange("l", 0, -1));
            assertEquals("c", p.lindex("l", 2));
            assertEquals("a", p.lpop("l"));
            assertEquals("d", p.rpop("l"));
            assertEquals(2, p.llen("l"));
            assertEquals("OK", p.lset("l", 0, "B"));
            assertEquals(List.of("B", "c"), d.lrange("l", 0, -1));
            assertNull(p.lpop("l:missing"));
        }
    }

    @Test
    void sets(ProxiedRedis redis) {
        try (Jedis p = jedis(redis.proxyPort()); Jedis d = jedis(redis.redisPort())) {
            assertEquals(3, p.sadd("s1", "a", "b", "c"));
            assertEquals(0, p.sadd("s1", "a"));
            assertEquals(2, p.sadd("s2", "b", "c"));
            assertEquals(Set.of("a", "b", "c"), p.smembers("s1"));
            assertTrue(p.sismember("s1", "a"));
            assertFalse(p.sismember("s2", "a"));
            assertEquals(Set.of("b", "c"), p.sinter("s1", "s2"));
            assertEquals(Set.of("a"), p.sdiff("s1", "s2"));
            assertEquals(1, p.srem("s1", "a"));
            assertEquals(d.smembers("s1"), p.smembers("s1"));
            assertEquals(2, p.scard("s1"));
        }
    }

    @Test
    void sortedSets(ProxiedRedis redis) {
        try (Jedis p = jedis(redis.proxyPort()); Jedis d = jedis(redis.redisPort())) {
            assertEquals(1, p.zadd("z", 1.5, "one"));
            assertEquals(2, p.zadd("z", Map.of("two", 2.0, "three", 3.0)));
            assertEquals(4.5, p.zincrby("z", 3.0, "one"));
            assertEquals(List.of("two", "three", "one"), p.zrange("z", 0, -1));
            List<Tuple> withScores = p.zrangeWithScores("z", 0, -1);
            assertEquals(3, withScores.size());
            assertEquals("one", withScores.get(2).getElement());
            assertEquals(4.5, withScores.get(2).getScore());
            assertEquals(0L, p.zrank("z", "two"));
            assertEquals(2.0, p.zscore("z", "two"));
            assertEquals(List.of("three", "one"), p.zrangeByScore("z", 2.5, 10));
            assertEquals(d.zrangeWithScores("z", 0, -1), withScores);
            assertNull(p.zscore("z", "none"));
        }
    }

    @Test
    void streamsWithConsumerGroups(ProxiedRedis redis) {
        try (Jedis p = jedis(redis.proxyPort()); Jedis d = jedis(redis.redisPort())) {
            List<StreamEntryID> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(p.xadd("st", StreamEntryID.NEW_ENTRY, Map.of("n", Integer.toString(i))));
            }
            assertEquals(5, p.xlen("st"));
            List<StreamEntry> range = p.xrange("st", "-", "+");
            assertEquals(5, range.size());
            for (int i = 0; i < 5; i++) {
                assertEquals(ids.get(i), range.get(i).getID());
                assertEquals(Map.of("n", Integer.toString(i)), range.get(i).getFields());
            }
            assertEquals(d.xrange("st", "-", "+").toString(), range.toString());

            assertEquals("OK", p.xgroupCreate("st", "g", new StreamEntryID(0, 0), false));
            List<Map.Entry<String, List<StreamEntry>>> read = p.xreadGroup("g", "c1",
                    XReadGroupParams.xReadGroupParams().count(3), Map.of("st", StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            assertEquals(1, read.size());
            assertEquals("st", read.get(0).getKey());
            List<StreamEntry> got = read.get(0).getValue();
            assertEquals(3, got.size());
            assertEquals(ids.subList(0, 3), got.stream().map(StreamEntry::getID).toList());
            assertEquals(2, p.xack("st", "g", ids.get(0), ids.get(1)));
            assertEquals(1, d.xpending("st", "g").getTotal(), "one entry read but not acknowledged");
            List<Map.Entry<String, List<StreamEntry>>> rest = p.xreadGroup("g", "c2",
                    XReadGroupParams.xReadGroupParams().count(10), Map.of("st", StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            assertEquals(ids.subList(3, 5), rest.get(0).getValue().stream().map(StreamEntry::getID).toList());
        }
    }

    @Test
    void binarySafeKeysAndValues(ProxiedRedis redis) {
        byte[] key = {'k', '\r', '\n', 0, 'e', '\r', 'y'};
        byte[] value = {'\r', '\n', 0, '$', '3', '\r', '\n', '*', '-', '1', '\r', '\n', 0, (byte) 0xff, '\n'};
        byte[] every = new byte[256];
        for (int i = 0; i < 256; i++) {
            every[i] = (byte) i;
        }
        try (Jedis p = jedis(redis.proxyPort()); Jedis d = jedis(redis.redisPort())) {
            assertEquals("OK", p.set(key, value));
            assertArrayEquals(value, p.get(key));
            assertArrayEquals(value, d.get(key), "stored intact in Redis");
            assertEquals("OK", p.set(every, every));
            assertArrayEquals(every, p.get(every));
            assertArrayEquals(every, d.get(every));
            byte[] hashKey = {'h', 0, '\r', '\n'};
            assertEquals(1, p.hset(hashKey, every, value));
            assertArrayEquals(value, p.hget(hashKey, every));
            assertArrayEquals(value, d.hget(hashKey, every));
        }
    }

    @Test
    @Timeout(120)
    void sixtyFourMebibyteValueRoundTrips(ProxiedRedis redis) throws Exception {
        byte[] big = new byte[64 * 1024 * 1024];
        new Random(42).nextBytes(big);
        byte[] sent = MessageDigest.getInstance("SHA-256").digest(big);
        try (Jedis p = jedis(redis.proxyPort())) {
            assertEquals("OK", p.set("big".getBytes(), big));
            big = null;
            byte[] back = p.get("big".getBytes());
            assertEquals(64 * 1024 * 1024, back.length);
            assertArrayEquals(sent, MessageDigest.getInstance("SHA-256").digest(back));
            back = null;
            assertEquals(64L * 1024 * 1024, p.strlen("big"));
            assertEquals("PONG", p.ping(), "the connection is still in step after the big reply");
        }
        try (Jedis d = jedis(redis.redisPort())) {
            assertArrayEquals(sent, MessageDigest.getInstance("SHA-256").digest(d.get("big".getBytes())),
                    "Redis holds exactly the bytes sent through the proxy");
        }
    }

    @Test
    void selectAnotherDbAndBack(ProxiedRedis redis) {
        try (Jedis p = jedis(redis.proxyPort()); Jedis d = jedis(redis.redisPort())) {
            assertEquals("OK", p.set("where", "db0"));
            assertEquals("OK", p.select(5));
            assertNull(p.get("where"));
            assertEquals("OK", p.set("where", "db5"));
            assertEquals("db5", p.get("where"));
            assertEquals("OK", p.select(0));
            assertEquals("db0", p.get("where"));
            assertEquals("db0", d.get("where"));
            d.select(5);
            assertEquals("db5", d.get("where"), "the write went to db 5 in Redis");
            assertEquals(1, d.dbSize());
        }
    }
}
