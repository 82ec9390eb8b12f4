package io.respgate.proxy.limits;

import io.respgate.config.LimitsConfig;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

import java.util.Arrays;

import static io.respgate.proxy.testing.RawConnection.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code limits.max_reply_depth}, {@code max_reply_bulk_length} and {@code max_reply_size} (issue 7). */
@Timeout(60)
class ReplyLimitsTest {
    private static final int MB = 1024 * 1024;

    private static String metric(ProxiedRedis pair) {
        String prefix = "respgate_connections_refused_total{reason=\"reply_limit\"} ";
        return Arrays.stream(pair.proxy().metrics().scrape().split("\n")).filter(l -> l.startsWith(prefix))
                .findFirst().map(l -> l.substring(prefix.length())).orElse("missing");
    }

    @Test
    void aBulkBeyondTheLimitIsAnsweredWithAnErrorInItsPlaceAndTheConnectionCloses() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start(TestPolicies.transparent(),
                LimitsConfig.defaults().withReplyLimits(512, MB, 64L * MB));
             RawConnection direct = new RawConnection(pair.redisPort());
             RawConnection client = new RawConnection(pair.proxyPort(), 10_000);
             RawConnection other = new RawConnection(pair.proxyPort(), 10_000)) {
            direct.call("SET", "small", "v");
            direct.call("SET", "big", "x".repeat(2 * MB));
            direct.call("SET", "fits", "y".repeat(MB));
            client.send(multibulk("GET", "small") + multibulk("GET", "big") + multibulk("PING"));
            assertEquals("$1\r\nv\r\n", client.readReply(), "the reply before it is relayed");
            String error = "-ERR reply refused by RespGate: a bulk string longer than limits.max_reply_bulk_length"
                    + " (1048576 bytes); connection closed\r\n";
            assertEquals(error, client.readReply());
            assertEquals(error, client.readReply(), "the commands after it get the error too");
            assertTrue(client.closedByPeer());
            assertEquals(MB + 12, other.call("GET", "fits").length(), "a bulk of exactly the limit passes");
            assertEquals("1.0", metric(pair));
        }
    }

    @Test
    void aWholeReplyBeyondTheSizeLimitIsRefused() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start(TestPolicies.transparent(),
                LimitsConfig.defaults().withReplyLimits(512, 64 * 1024, MB));
             RawConnection direct = new RawConnection(pair.redisPort());
             Jedis other = new Jedis(ProxiedRedis.HOST, pair.proxyPort());
             RawConnection client = new RawConnection(pair.proxyPort(), 10_000)) {
            String element = "e".repeat(1024);
            for (int i = 0; i < 2048; i++) {
                direct.command("RPUSH", "list", element);
            }
            for (int i = 0; i < 2048; i++) {
                direct.readReply();
            }
            assertEquals("*100\r\n", client.call("LRANGE", "list", "0", "99").substring(0, 6), "100 KiB pass");
            assertEquals("-ERR reply refused by RespGate: larger than limits.max_reply_size (1048576 bytes);"
                    + " connection closed\r\n", client.call("LRANGE", "list", "0", "-1"));
            assertTrue(client.closedByPeer());
            assertEquals(100, other.lrange("list", 0, 99).size(), "another connection is unaffected");
            assertEquals("1.0", metric(pair));
        }
    }

    @Test
    void aReplyNestedDeeperThanTheLimitIsRefused() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start(TestPolicies.transparent(),
                LimitsConfig.defaults().withReplyLimits(4, MB, MB));
             RawConnection client = new RawConnection(pair.proxyPort(), 10_000);
             RawConnection other = new RawConnection(pair.proxyPort(), 10_000)) {
            assertEquals("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", client.call("EVAL", "return {{{{1}}}}", "0"), "depth 4 passes");
            assertEquals("-ERR reply refused by RespGate: nested deeper than limits.max_reply_depth (4);"
                    + " connection closed\r\n", client.call("EVAL", "return {{{{{1}}}}}", "0"));
            assertTrue(client.closedByPeer());
            assertEquals("+PONG\r\n", other.call("PING"));
            assertEquals("1.0", metric(pair));
        }
    }
}
