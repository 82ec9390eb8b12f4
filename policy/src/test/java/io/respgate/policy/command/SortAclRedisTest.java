package io.respgate.policy.command;

import io.respgate.codec.CommandFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Redis 7.0 does under ACL with the keys {@code SORT} reaches through BY/GET patterns, and with
 * repeated STORE options: the evidence behind {@link CommandSpec#forEachSortPattern} and the extra
 * keys {@link CommandSpec#forEachKey} visits.
 */
class SortAclRedisTest {
    private static LiveRedis redis;

    @BeforeAll
    static void start() throws IOException {
        redis = LiveRedis.start();
        call(redis.client, "RPUSH", "a", "3", "1", "2");
        call(redis.client, "GEOADD", "k", "13.36", "38.11", "p1");
        setUser("prefix", "~a*");
        setUser("readall", "%R~*");
        setUser("writeall", "%W~*", "~a*");
        setUser("escaped", "~\\*", "~a*");
        setUser("selector", "~a*", "(~* +@all)");
        setUser("by", "~a*", "~by", "~k");
    }

    @AfterAll
    static void stop() throws IOException {
        if (redis != null) {
            redis.close();
        }
    }

    private static void setUser(String name, String... rules) throws IOException {
        List<String> args = new ArrayList<>(List.of("ACL", "SETUSER", name, "on", "nopass", "+@all"));
        args.addAll(List.of(rules));
        assertEquals("OK", call(redis.client, args.toArray(new String[0])).asString());
    }

    private static RespValue call(RespClient client, String... args) throws IOException {
        return client.call(args);
    }

    private static RespValue as(String user, String... args) throws IOException {
        try (RespClient client = redis.connect()) {
            assertEquals("OK", client.call("AUTH", user, "any").asString());
            return client.call(args);
        }
    }

    private static String dryrun(String user, String... args) throws IOException {
        List<String> request = new ArrayList<>(List.of("ACL", "DRYRUN", user));
        request.addAll(List.of(args));
        RespValue reply = redis.client.call(request.toArray(new String[0]));
        return reply instanceof RespValue.Err err ? "-" + err.message() : reply.asString();
    }

    @Test
    void aclDryRunIgnoresSortPatternsButSortRefusesThemWithoutFullReadAccess() throws IOException {
        // ACL DRYRUN (the ACL key check) only checks the sort key and the STORE key.
        assertEquals("OK", dryrun("prefix", "SORT", "a", "BY", "b*", "GET", "c*"));
        assertEquals("OK", dryrun("prefix", "SORT_RO", "a", "BY", "b*", "GET", "c*"));
        assertTrue(dryrun("prefix", "SORT", "a", "BY", "b*", "STORE", "zz").contains("'zz'"));
        // SORT itself then refuses BY with a '*' and any GET unless the user has read access to '*'.
        RespValue by = as("prefix", "SORT", "a", "BY", "b*");
        assertEquals("ERR BY option of SORT denied due to insufficient ACL permissions.",
                assertInstanceOf(RespValue.Err.class, by).message());
        RespValue get = as("prefix", "SORT_RO", "a", "GET", "#");
        assertEquals("ERR GET option of SORT denied due to insufficient ACL permissions.",
                assertInstanceOf(RespValue.Err.class, get).message());
        assertInstanceOf(RespValue.Arr.class, as("prefix", "SORT", "a", "BY", "nosort"));
        // Full read access: allkeys, or a read pattern that is exactly '*', in a selector allowing the command.
        assertInstanceOf(RespValue.Arr.class, as("readall", "SORT", "a", "BY", "b*", "GET", "c*"));
        assertInstanceOf(RespValue.Arr.class, as("selector", "SORT", "a", "BY", "b*", "GET", "c*"));
        assertInstanceOf(RespValue.Err.class, as("writeall", "SORT", "a", "BY", "b*"));
        assertInstanceOf(RespValue.Err.class, as("escaped", "SORT", "a", "BY", "b*"));
    }

    @Test
    void redisChecksOneStoreKeyAndWritesAnother() throws IOException {
        assertEquals("OK", dryrun("by", "SORT", "a", "STORE", "by", "STORE", "b"));
        assertEquals(3, ((RespValue.Int) as("by", "SORT", "a", "STORE", "by", "STORE", "b")).value());
        assertEquals(1, ((RespValue.Int) redis.client.call("EXISTS", "b")).value(), "Redis wrote 'b'");
        assertEquals(0, ((RespValue.Int) redis.client.call("EXISTS", "by")).value());

        assertEquals("OK", dryrun("by", "GEORADIUS", "k", "13", "38", "100", "km", "STORE", "a1", "STORE", "zz"));
        as("by", "GEORADIUS", "k", "13", "38", "100", "km", "STORE", "a1", "STORE", "zz");
        assertEquals(1, ((RespValue.Int) redis.client.call("EXISTS", "zz")).value(), "Redis wrote 'zz'");

        // The proxy visits the key the command writes as well.
        for (String line : List.of("SORT a STORE by STORE b", "GEORADIUS k 13 38 100 km STORE a1 STORE zz")) {
            CommandFrame frame = Frames.frame(Frames.words(line));
            try {
                List<String> keys = new ArrayList<>();
                CommandTable.redis70().lookup(frame).forEachKey(frame, (f, i, flags) -> keys.add(f.argToString(i)));
                assertEquals(line.endsWith("zz") ? List.of("k", "a1", "zz") : List.of("a", "by", "b"), keys, line);
            } finally {
                frame.release();
            }
        }
    }
}
