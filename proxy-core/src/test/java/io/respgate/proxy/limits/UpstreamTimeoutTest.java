package io.respgate.proxy.limits;

import io.respgate.config.AdminConfig;
import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import static io.respgate.proxy.testing.RawConnection.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code upstream.command_timeout} against a real redis-server stopped with SIGSTOP (issue 7). */
@Timeout(120)
class UpstreamTimeoutTest {
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    static final String TIMED_OUT = "-ERR upstream timeout: Redis did not answer within 1s (upstream.command_timeout);"
            + " connection closed\r\n";

    private static ProxiedRedis start() throws Exception {
        ProxiedRedis pair = ProxiedRedis.start();
        pair.startProxy(new RespGateConfig(new ListenConfig(ProxiedRedis.HOST, 0),
                UpstreamConfig.of(ProxiedRedis.HOST, pair.redisPort()).withCommandTimeout(TIMEOUT),
                LimitsConfig.defaults(), Optional.empty(), Optional.of(AdminConfig.loopback(0))),
                TestPolicies.transparent());
        return pair;
    }

    @Test
    void aStalledRedisAnswersEveryWaitingCommandWithAnErrorAndTheProxyStaysResponsive() throws Exception {
        try (ProxiedRedis pair = start();
             RawConnection victim = new RawConnection(pair.proxyPort(), 10_000);
             RawConnection bystander = new RawConnection(pair.proxyPort(), 10_000)) {
            assertEquals("+OK\r\n", victim.call("SET", "k", "v"));
            assertEquals("+OK\r\n", bystander.call("SET", "b", "1"));
            long pid = Signals.redisPid(pair.redisPort());
            long elapsedMillis;
            try (AutoCloseable stopped = Signals.stop(pid)) {
                long start = System.nanoTime();
                victim.send(multibulk("GET", "k") + multibulk("INCR", "n") + multibulk("PING"));
                // The proxy itself answers while Redis is stopped: a local reply, and the admin endpoint.
                try (RawConnection fresh = new RawConnection(pair.proxyPort(), 5_000)) {
                    assertTrue(fresh.call("AUTH", "nosuchuser", "pw").startsWith("-WRONGPASS"));
                }
                assertTrue(scrape(pair).contains("respgate_connections_active"));
                for (int i = 0; i < 3; i++) {
                    assertEquals(TIMED_OUT, victim.readReply(), "reply " + i + " replaced by the error, in order");
                }
                elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(victim.closedByPeer(), "the client connection is closed after the errors");
                assertTrue(scrape(pair).contains("respgate_connections_refused_total{reason=\"upstream_timeout\"} 1.0"));
            }
            assertTrue(elapsedMillis >= TIMEOUT.toMillis() - 200 && elapsedMillis < 4000,
                    "the errors came after " + elapsedMillis + " ms");
            // Redis runs the queued commands once continued; their replies go nowhere. The bystander,
            // idle meanwhile, is unaffected and gets its own replies.
            assertEquals("$1\r\n1\r\n", bystander.call("GET", "b"));
            assertEquals("$1\r\nv\r\n", bystander.call("GET", "k"));
            try (Jedis jedis = new Jedis(ProxiedRedis.HOST, pair.proxyPort())) {
                assertEquals("PONG", jedis.ping(), "new connections work once Redis is back");
            }
        }
    }

    @Test
    void blockingCommandsGetTheirOwnTimeoutOnTopAndForeverNeverTimesOut() throws Exception {
        try (ProxiedRedis pair = start();
             RawConnection timed = new RawConnection(pair.proxyPort(), 10_000);
             RawConnection forever = new RawConnection(pair.proxyPort(), 10_000);
             RawConnection stream = new RawConnection(pair.proxyPort(), 10_000);
             RawConnection subscriber = new RawConnection(pair.proxyPort(), 10_000);
             RawConnection other = new RawConnection(pair.proxyPort(), 10_000)) {
            subscriber.command("SUBSCRIBE", "news");
            assertTrue(subscriber.readReply().contains("subscribe"));
            long start = System.nanoTime();
            timed.command("BLPOP", "q1", "2.5");
            forever.command("BLPOP", "q2", "0");
            stream.command("XREAD", "BLOCK", "2000", "STREAMS", "s", "$");
            assertEquals("*-1\r\n", stream.readReply(), "XREAD BLOCK 2000 times out in Redis, not in the proxy");
            assertEquals("*-1\r\n", timed.readReply(), "BLPOP 2.5 returns nil from Redis, not an upstream timeout");
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 2400, "BLPOP waited " + waited + " ms");
            Thread.sleep(1500);
            assertEquals(":1\r\n", other.call("RPUSH", "q2", "job"));
            assertEquals("*2\r\n$2\r\nq2\r\n$3\r\njob\r\n", forever.readReply(), "BLPOP 0 waited beyond the timeout");
            assertEquals(":1\r\n", other.call("PUBLISH", "news", "late"));
            assertTrue(subscriber.readReply().contains("late"), "a subscriber idle beyond the timeout is still served");
            assertTrue(scrape(pair).contains("respgate_connections_refused_total{reason=\"upstream_timeout\"} 0.0"));
        }
    }

    @Test
    void offMeansAStalledRedisIsWaitedFor() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start()) {
            pair.startProxy(TestPolicies.transparent(),
                    UpstreamConfig.of(ProxiedRedis.HOST, pair.redisPort()).withCommandTimeout(Duration.ZERO),
                    LimitsConfig.defaults());
            try (RawConnection c = new RawConnection(pair.proxyPort(), 10_000)) {
                assertEquals("+PONG\r\n", c.call("PING"));
                try (AutoCloseable stopped = Signals.stop(Signals.redisPid(pair.redisPort()))) {
                    c.command("PING");
                    Thread.sleep(2500);
                }
                assertEquals("+PONG\r\n", c.readReply(), "the reply arrives once Redis continues");
            }
        }
    }

    static String scrape(ProxiedRedis pair) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("http://127.0.0.1:" + pair.proxy().adminAddress().getPort() + "/metrics");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }
}
