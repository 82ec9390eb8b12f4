package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;

import static io.respgate.proxy.fidelity.Fidelity.mb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** CLIENT REPLY OFF / ON / SKIP: the replies that do come still line up with their commands. */
@ExtendWith(ProxyExtension.class)
@Timeout(30)
class ClientReplyTest {

    private static List<String> offThenOn(int port, String k) throws Exception {
        try (RawConnection c = new RawConnection(port)) {
            c.command("CLIENT", "REPLY", "OFF");
            c.command("SET", k, "1");
            c.command("INCR", k);
            c.command("NOSUCHCOMMAND");           // not even errors are answered
            c.command("GET", k);
            c.command("CLIENT", "REPLY", "ON");
            String on = c.readReply();
            String get = c.call("GET", k);
            String incr = c.call("INCR", k);
            return List.of(on, get, incr);
        }
    }

    @Test
    void replyOffSilencesEverythingUntilOn(ProxiedRedis redis) throws Exception {
        List<String> direct = offThenOn(redis.redisPort(), "off:d");
        assertEquals(List.of("+OK\r\n", "$1\r\n2\r\n", ":3\r\n"), direct);
        assertEquals(direct, offThenOn(redis.proxyPort(), "off:p"));
    }

    @Test
    void replyOffSendsNothingAtAll(ProxiedRedis redis) throws Exception {
        try (RawConnection c = new RawConnection(redis.proxyPort(), 500)) {
            c.send(mb("CLIENT", "REPLY", "OFF") + mb("SET", "quiet", "1") + mb("GET", "quiet"));
            assertThrows(SocketTimeoutException.class, c::readReply, "no byte arrives");
            c.setReadTimeout(5000);
            assertEquals("+OK\r\n", c.call("CLIENT", "REPLY", "ON"), "the first byte after OFF is ON's reply");
        }
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("$1\r\n1\r\n", d.call("GET", "quiet"), "the silenced commands did run");
        }
    }

    @Test
    void replySkipSkipsOnlyTheNextReply(ProxiedRedis redis) throws Exception {
        String bytes = mb("CLIENT", "REPLY", "SKIP") + mb("SET", "skip", "1") + mb("INCR", "skip")
                + mb("CLIENT", "REPLY", "SKIP") + mb("NOSUCHCOMMAND") + mb("GET", "skip")
                + mb("CLIENT", "REPLY", "SKIP") + mb("CLIENT", "REPLY", "ON") + mb("INCR", "skip");
        List<String> direct = Fidelity.replies(redis.redisPort(), bytes, 4);
        // CLIENT REPLY ON clears a pending SKIP before it answers, so its +OK is not skipped
        assertEquals(List.of(":2\r\n", "$1\r\n2\r\n", "+OK\r\n", ":3\r\n"), direct);
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("+OK\r\n", d.call("FLUSHALL"));
        }
        assertEquals(direct, Fidelity.replies(redis.proxyPort(), bytes, 4));
    }

    @Test
    void replySkipOneCommandAtATime(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            String k = "skip1:" + port;
            try (RawConnection c = new RawConnection(port)) {
                c.command("CLIENT", "REPLY", "SKIP");
                c.command("SET", k, "10");
                assertEquals(":11\r\n", c.call("INCR", k), "port " + port);
                assertEquals("$2\r\n11\r\n", c.call("GET", k));
            }
        }
    }

    /**
     * With replies off QUIT answers nothing. The proxy then closes the connection; Redis 7.0 marks
     * the client close-after-reply but, having nothing to write, leaves it open (a Redis quirk),
     * so for Redis only the silence is checked.
     */
    @Test
    void quitWithRepliesOffSendsNoOk(ProxiedRedis redis) throws Exception {
        String bytes = mb("CLIENT", "REPLY", "OFF") + mb("SET", "q", "1") + mb("QUIT") + mb("SET", "q2", "1");
        try (RawConnection c = new RawConnection(redis.redisPort(), 1000)) {
            c.send(bytes);
            assertThrows(IOException.class, c::readReply, "Redis sends no +OK");
        }
        try (RawConnection c = new RawConnection(redis.proxyPort(), 5000)) {
            c.send(bytes);
            IOException end = assertThrows(IOException.class, c::readReply, "the proxy sends no +OK");
            assertFalse(end instanceof SocketTimeoutException, "the proxy closes the connection: " + end);
        }
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("$1\r\n1\r\n", d.call("GET", "q"));
            assertEquals("$-1\r\n", d.call("GET", "q2"), "nothing after QUIT ran");
        }
    }

    @Test
    void quitAfterReplySkipSendsNoOk(ProxiedRedis redis) throws Exception {
        String bytes = mb("CLIENT", "REPLY", "SKIP") + mb("QUIT");
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port, 1000)) {
                c.send(bytes);
                assertThrows(IOException.class, c::readReply, "no +OK from port " + port);
            }
        }
    }
}
