package io.respgate.proxy;

import io.respgate.config.LimitsConfig;
import io.respgate.proxy.testing.TestPolicies;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.respgate.proxy.testing.RawConnection.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Answers the proxy gives itself take their place among forwarded replies. The policy here is the
 * default guardrails with an open default user, so FLUSHALL is refused by the proxy: the local path
 * is exercised end to end against a real Redis.
 */
@Timeout(30)
class LocalReplyOrderTest {
    private static final String NOPERM = "-NOPERM this command is blocked by the RespGate guardrail 'flushall'"
            + " (set by the operator; no user rule can lift it)\r\n";

    private ProxiedRedis redis;

    @BeforeEach
    void start() throws Exception {
        redis = ProxiedRedis.start(TestPolicies.openWithGuardrails(), LimitsConfig.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
    }

    @Test
    void deniedCommandsAreAnsweredInTheirPlaceInAPipeline() throws Exception {
        try (RawConnection client = new RawConnection(redis.proxyPort());
             RawConnection direct = new RawConnection(redis.redisPort())) {
            client.send(multibulk("SET", "a", "1") + multibulk("FLUSHALL") + multibulk("GET", "a")
                    + multibulk("flushall") + multibulk("INCR", "n"));
            assertEquals("+OK\r\n", client.readReply());
            assertEquals(NOPERM, client.readReply());
            assertEquals("$1\r\n1\r\n", client.readReply());
            assertEquals(NOPERM, client.readReply());
            assertEquals(":1\r\n", client.readReply());
            assertEquals("$1\r\n1\r\n", direct.call("GET", "a"), "FLUSHALL never reached Redis");
        }
    }

    @Test
    void aDenialAtTheHeadWaitsForNothingAndOneBehindABlockedCommandWaits() throws Exception {
        try (RawConnection client = new RawConnection(redis.proxyPort());
             RawConnection pusher = new RawConnection(redis.redisPort())) {
            client.send(multibulk("BLPOP", "q", "5") + multibulk("FLUSHALL"));
            Thread.sleep(200);
            pusher.call("RPUSH", "q", "x");
            assertEquals("*2\r\n$1\r\nq\r\n$1\r\nx\r\n", client.readReply(), "the blocked reply comes first");
            assertEquals(NOPERM, client.readReply());
        }
    }

    @Test
    void aDenialInsideMultiAbortsTheTransactionLikeRedis() throws Exception {
        try (RawConnection client = new RawConnection(redis.proxyPort());
             RawConnection direct = new RawConnection(redis.redisPort())) {
            direct.call("SET", "a", "1");
            client.send(multibulk("MULTI") + multibulk("SET", "a", "2") + multibulk("FLUSHALL")
                    + multibulk("EXEC") + multibulk("GET", "a"));
            assertEquals("+OK\r\n", client.readReply());
            assertEquals("+QUEUED\r\n", client.readReply());
            assertEquals(NOPERM, client.readReply());
            assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", client.readReply());
            assertEquals("$1\r\n1\r\n", client.readReply(), "the queued SET was discarded");
            assertEquals("$1\r\n1\r\n", direct.call("GET", "a"));
        }
    }

    @Test
    void anUnknownCommandIsRefusedLikeRedisAndTheConnectionGoesOn() throws Exception {
        try (RawConnection client = new RawConnection(redis.proxyPort());
             RawConnection direct = new RawConnection(redis.redisPort())) {
            assertEquals(direct.call("NOSUCHCOMMAND", "a", "b"), client.call("NOSUCHCOMMAND", "a", "b"));
            assertEquals("+PONG\r\n", client.call("PING"));
        }
    }
}
