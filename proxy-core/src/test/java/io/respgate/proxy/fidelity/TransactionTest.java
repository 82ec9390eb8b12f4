package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

import java.util.List;

import static io.respgate.proxy.fidelity.Fidelity.jedis;
import static io.respgate.proxy.fidelity.Fidelity.mb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MULTI/EXEC, DISCARD, WATCH and EXECABORT, byte for byte against Redis and with Jedis. */
@ExtendWith(ProxyExtension.class)
@Timeout(30)
class TransactionTest {

    /** Runs the same transaction script on {@code port} and returns every reply. */
    private static List<String> multiExecScript(int port, String k) throws Exception {
        try (RawConnection c = new RawConnection(port)) {
            return List.of(
                    c.call("MULTI"),
                    c.call("SET", k, "1"),
                    c.call("INCR", k),
                    c.call("LPUSH", k, "x"),          // fails at EXEC time: wrong type
                    c.call("GET", k),
                    c.call("EXEC"),
                    c.call("GET", k),
                    c.call("EXEC"),                    // without MULTI
                    c.call("DISCARD"));
        }
    }

    @Test
    void multiExecIsByteExact(ProxiedRedis redis) throws Exception {
        List<String> viaProxy = multiExecScript(redis.proxyPort(), "tx:p");
        List<String> direct = multiExecScript(redis.redisPort(), "tx:d");
        assertEquals(List.of("+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n",
                "*4\r\n+OK\r\n:2\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n$1\r\n2\r\n",
                "$1\r\n2\r\n", "-ERR EXEC without MULTI\r\n", "-ERR DISCARD without MULTI\r\n"), direct);
        assertEquals(direct, viaProxy);
    }

    @Test
    void pipelinedTransactionKeepsOrder(ProxiedRedis redis) throws Exception {
        String script = mb("SET", "before", "1") + mb("MULTI") + mb("INCR", "before") + mb("INCR", "before")
                + mb("EXEC") + mb("GET", "before");
        List<String> viaProxy = Fidelity.replies(redis.proxyPort(), script, 6);
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("+OK\r\n", d.call("FLUSHALL"));
        }
        List<String> direct = Fidelity.replies(redis.redisPort(), script, 6);
        assertEquals(List.of("+OK\r\n", "+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "*2\r\n:2\r\n:3\r\n", "$1\r\n3\r\n"), direct);
        assertEquals(direct, viaProxy);
    }

    @Test
    void discardDropsTheQueuedCommands(ProxiedRedis redis) throws Exception {
        try (RawConnection c = new RawConnection(redis.proxyPort());
             RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("SET", "dropped", "1"));
            assertEquals("+OK\r\n", c.call("DISCARD"));
            assertEquals("$-1\r\n", c.call("GET", "dropped"));
            assertEquals("$-1\r\n", d.call("GET", "dropped"));
            assertEquals(":1\r\n", c.call("INCR", "after"), "normal mode again after DISCARD");
        }
    }

    @Test
    void watchedKeyChangedByAnotherConnectionAbortsExec(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.proxyPort(), redis.redisPort()}) {
            String key = "watched:" + port;
            try (RawConnection c = new RawConnection(port);
                 RawConnection other = new RawConnection(redis.proxyPort())) {
                assertEquals("+OK\r\n", c.call("SET", key, "start"));
                assertEquals("+OK\r\n", c.call("WATCH", key));
                assertEquals("+OK\r\n", other.call("SET", key, "theirs"));
                assertEquals("+OK\r\n", c.call("MULTI"));
                assertEquals("+QUEUED\r\n", c.call("SET", key, "mine"));
                assertEquals("*-1\r\n", c.call("EXEC"), "port " + port);
                assertEquals("$6\r\ntheirs\r\n", c.call("GET", key));
                // without a conflict the same transaction runs
                assertEquals("+OK\r\n", c.call("WATCH", key));
                assertEquals("+OK\r\n", c.call("MULTI"));
                assertEquals("+QUEUED\r\n", c.call("SET", key, "mine"));
                assertEquals("*1\r\n+OK\r\n", c.call("EXEC"));
                assertEquals("$4\r\nmine\r\n", other.call("GET", key));
            }
        }
    }

    private static List<String> execAbortScript(int port, String k) throws Exception {
        try (RawConnection c = new RawConnection(port)) {
            return List.of(
                    c.call("MULTI"),
                    c.call("INCR", k),
                    c.call("SET", k),                  // wrong arity: Redis refuses it while queueing
                    c.call("NOSUCHCOMMAND", "arg"),
                    c.call("EXEC"),
                    c.call("GET", k),
                    c.call("PING"));
        }
    }

    @Test
    void execAbortCausedByRedisItselfIsByteExact(ProxiedRedis redis) throws Exception {
        List<String> viaProxy = execAbortScript(redis.proxyPort(), "abort:p");
        List<String> direct = execAbortScript(redis.redisPort(), "abort:d");
        assertEquals("+QUEUED\r\n", direct.get(1));
        assertEquals("-ERR wrong number of arguments for 'set' command\r\n", direct.get(2));
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", direct.get(4));
        assertEquals("$-1\r\n", direct.get(5));
        assertEquals(direct.subList(0, 3), viaProxy.subList(0, 3));
        assertEquals(direct.subList(4, 7), viaProxy.subList(4, 7));
        assertTrue(viaProxy.get(3).startsWith("-ERR unknown command 'NOSUCHCOMMAND'"), viaProxy.get(3));
    }

    @Test
    void jedisTransactionExecAndDiscard(ProxiedRedis redis) {
        try (Jedis p = jedis(redis.proxyPort()); Jedis d = jedis(redis.redisPort())) {
            Transaction t = p.multi();
            Response<String> set = t.set("jt", "10");
            Response<Long> incr = t.incr("jt");
            Response<String> get = t.get("jt");
            List<Object> results = t.exec();
            assertEquals(List.of("OK", 11L, "11"), results);
            assertEquals("OK", set.get());
            assertEquals(11L, incr.get());
            assertEquals("11", get.get());
            assertEquals("11", d.get("jt"));

            Transaction dropped = p.multi();
            dropped.set("jt", "never");
            assertEquals("OK", dropped.discard());
            assertEquals("11", p.get("jt"));
        }
    }

    @Test
    void jedisWatchConflictMakesExecReturnNull(ProxiedRedis redis) {
        try (Jedis p = jedis(redis.proxyPort()); Jedis other = jedis(redis.proxyPort())) {
            p.set("jw", "1");
            assertEquals("OK", p.watch("jw"));
            other.set("jw", "2");
            Transaction t = p.multi();
            t.set("jw", "3");
            assertNull(t.exec(), "EXEC after a conflicting write is a null array");
            assertEquals("2", p.get("jw"));
        }
    }

    @Test
    void jedisExecAbortSameAsDirect(ProxiedRedis redis) {
        String proxyError;
        String directError;
        try (Jedis p = jedis(redis.proxyPort())) {
            Transaction t = p.multi();
            t.incr("ja");
            t.sendCommand(Protocol.Command.SET, "ja");
            proxyError = assertThrows(JedisDataException.class, t::exec).getMessage();
            assertNull(p.get("ja"), "nothing of the aborted transaction ran");
            assertEquals("PONG", p.ping());
        }
        try (Jedis d = jedis(redis.redisPort())) {
            Transaction t = d.multi();
            t.incr("ja");
            t.sendCommand(Protocol.Command.SET, "ja");
            directError = assertThrows(JedisDataException.class, t::exec).getMessage();
        }
        assertTrue(directError.contains("EXECABORT"), directError);
        assertEquals(directError, proxyError);
    }
}
