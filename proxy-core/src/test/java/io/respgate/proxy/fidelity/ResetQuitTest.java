package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static io.respgate.proxy.fidelity.Fidelity.mb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RESET returns a connection to its first state; QUIT ends it after everything before it. */
@ExtendWith(ProxyExtension.class)
@Timeout(30)
class ResetQuitTest {

    private static List<String> resetScript(int port, int otherPort, String ch) throws Exception {
        try (RawConnection c = new RawConnection(port); RawConnection other = new RawConnection(otherPort)) {
            String hello = c.call("HELLO", "3");
            assertTrue(hello.startsWith("%7\r\n"), hello);
            assertEquals("+OK\r\n", c.call("SELECT", "3"));
            assertEquals("+OK\r\n", c.call("SET", "where", "db3"));
            c.command("SUBSCRIBE", ch);
            assertEquals(">3\r\n$9\r\nsubscribe\r\n" + Fidelity.bulk(ch) + ":1\r\n", c.readReply());
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("SET", "where", "in-multi"));
            String reset = c.call("RESET");
            String get = c.call("GET", "where");                 // db 0, not in MULTI any more
            String hgetall = c.call("HGETALL", "h");            // RESP2 array, not a map
            String published = other.call("PUBLISH", ch, "x"); // nobody listens any more
            String ping = c.call("PING");                       // +PONG: not in subscribe mode
            String exec = c.call("EXEC");
            c.command("CLIENT", "REPLY", "OFF");
            String resetWhileOff = c.call("RESET");            // RESET turns replies back on
            return List.of(reset, get, hgetall, published, ping, exec, resetWhileOff);
        }
    }

    @Test
    void resetLeavesMultiSubscribeResp3AndDb(ProxiedRedis redis) throws Exception {
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("+OK\r\n", d.call("SET", "where", "db0"));
            assertEquals(":1\r\n", d.call("HSET", "h", "f", "v"));
        }
        List<String> direct = resetScript(redis.redisPort(), redis.redisPort(), "rch:d");
        assertEquals(List.of("+RESET\r\n", "$3\r\ndb0\r\n", "*2\r\n$1\r\nf\r\n$1\r\nv\r\n", ":0\r\n", "+PONG\r\n",
                "-ERR EXEC without MULTI\r\n", "+RESET\r\n"), direct);
        assertEquals(direct, resetScript(redis.proxyPort(), redis.proxyPort(), "rch:p"));
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("+OK\r\n", d.call("SELECT", "3"));
            assertEquals("$3\r\ndb3\r\n", d.call("GET", "where"), "the queued SET never ran");
        }
    }

    @Test
    void resetWhileSubscribedInResp2(ProxiedRedis redis) throws Exception {
        String bytes = mb("SUBSCRIBE", "a", "b") + mb("PSUBSCRIBE", "p*") + mb("RESET") + mb("SET", "k", "v")
                + mb("GET", "k") + mb("UNSUBSCRIBE");
        List<String> direct = Fidelity.replies(redis.redisPort(), bytes, 7);
        assertEquals(List.of("+RESET\r\n", "+OK\r\n", "$1\r\nv\r\n", "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"),
                direct.subList(3, 7));
        assertEquals(direct, Fidelity.replies(redis.proxyPort(), bytes, 7));
    }

    @Test
    void quitInsideAPipelineStopsEverythingAfterIt(ProxiedRedis redis) throws Exception {
        StringBuilder bytes = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            bytes.append(mb("INCR", "before"));
        }
        bytes.append(mb("QUIT")).append(mb("SET", "after", "1")).append(mb("INCR", "before"));
        try (RawConnection c = new RawConnection(redis.proxyPort(), 5000)) {
            c.send(bytes.toString());
            for (int i = 1; i <= 1000; i++) {
                assertEquals(":" + i + "\r\n", c.readReply());
            }
            assertEquals("+OK\r\n", c.readReply());
            assertTrue(c.closedByPeer(), "closed right after QUIT's +OK");
        }
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("$4\r\n1000\r\n", d.call("GET", "before"));
            assertEquals("$-1\r\n", d.call("GET", "after"));
        }
    }

    @Test
    void quitInsideMultiDiscardsTheTransaction(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            String k = "multiquit:" + port;
            try (RawConnection c = new RawConnection(port, 5000)) {
                c.send(mb("MULTI") + mb("SET", k, "1") + mb("QUIT") + mb("EXEC"));
                assertEquals(List.of("+OK\r\n", "+QUEUED\r\n", "+OK\r\n"), Fidelity.read(c, 3), "port " + port);
                assertTrue(c.closedByPeer());
            }
            try (RawConnection d = new RawConnection(redis.redisPort())) {
                assertEquals("$-1\r\n", d.call("GET", k), "port " + port);
            }
        }
    }

    @Test
    void quitWhileSubscribed(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port, 5000)) {
                c.send(mb("SUBSCRIBE", "qs") + mb("QUIT") + mb("PING"));
                assertEquals(List.of("*3\r\n$9\r\nsubscribe\r\n$2\r\nqs\r\n:1\r\n", "+OK\r\n"), Fidelity.read(c, 2));
                assertTrue(c.closedByPeer(), "port " + port);
            }
        }
        Fidelity.await(5000, "no subscriber left on qs", () -> {
            try (RawConnection d = new RawConnection(redis.redisPort())) {
                return d.call("PUBLISH", "qs", "x").equals(":0\r\n");
            }
        });
    }
}
