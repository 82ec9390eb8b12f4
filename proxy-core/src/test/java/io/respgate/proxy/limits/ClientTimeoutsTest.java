package io.respgate.proxy.limits;

import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.policy.PolicySnapshot;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.Arrays;

import static io.respgate.proxy.testing.RawConnection.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code limits.auth_timeout}, {@code limits.request_timeout} and {@code limits.idle_timeout} (issue 7). */
@Timeout(90)
class ClientTimeoutsTest {
    static final String PASSWORD = "timeouts-app-pw";
    static final Duration SHORT = Duration.ofMillis(600);

    static PolicySnapshot passwordPolicy() {
        return TestPolicies.parse("""
                users:
                  default:
                    acl: "off"
                  app:
                    acl: "on #%s ~* &* +@all"
                """.formatted(TestPolicies.hash(PASSWORD)));
    }

    private static ProxiedRedis start(PolicySnapshot policy, LimitsConfig limits) throws Exception {
        ProxiedRedis pair = ProxiedRedis.start();
        pair.startProxy(new RespGateConfig(new ListenConfig(ProxiedRedis.HOST, 0),
                UpstreamConfig.of(ProxiedRedis.HOST, pair.redisPort()), limits), policy);
        return pair;
    }

    private static String metric(ProxiedRedis pair, String reason) {
        String scrape = pair.proxy().metrics().scrape();
        String prefix = "respgate_connections_refused_total{reason=\"" + reason + "\"} ";
        return Arrays.stream(scrape.split("\n")).filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> l.substring(prefix.length())).orElse("missing");
    }

    // ---- auth_timeout ---------------------------------------------------------------------------

    @Test
    void aConnectionThatDoesNotSignInIsClosedWithAnError() throws Exception {
        LimitsConfig limits = LimitsConfig.defaults().withTimeouts(SHORT, Duration.ZERO, Duration.ZERO);
        try (ProxiedRedis pair = start(passwordPolicy(), limits);
             RawConnection silent = new RawConnection(pair.proxyPort(), 5000);
             RawConnection busy = new RawConnection(pair.proxyPort(), 5000);
             RawConnection signedIn = new RawConnection(pair.proxyPort(), 5000)) {
            assertEquals("+OK\r\n", signedIn.call("AUTH", "app", PASSWORD));
            long start = System.nanoTime();
            // Commands without signing in are no excuse: the clock runs from the connect.
            for (int i = 0; i < 4; i++) {
                assertTrue(busy.call("GET", "k").startsWith("-NOAUTH"));
                Thread.sleep(100);
            }
            String error = "-ERR authentication timeout: no AUTH within 600ms of connecting (limits.auth_timeout)\r\n";
            assertEquals(error, silent.readReply());
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(silent.closedByPeer());
            assertTrue(elapsedMillis < 2000, "closed after " + elapsedMillis + " ms");
            assertEquals(error, busy.readReply());
            assertTrue(busy.closedByPeer());
            Thread.sleep(SHORT.toMillis());
            assertEquals("+PONG\r\n", signedIn.call("PING"), "a signed-in connection is not affected");
            assertEquals("2.0", metric(pair, "auth_timeout"));
        }
    }

    @Test
    void resetRestartsTheAuthClockAndJedisSignsInInTime() throws Exception {
        LimitsConfig limits = LimitsConfig.defaults().withTimeouts(SHORT, Duration.ZERO, Duration.ZERO);
        try (ProxiedRedis pair = start(passwordPolicy(), limits);
             Jedis jedis = new Jedis(ProxiedRedis.HOST, pair.proxyPort());
             RawConnection c = new RawConnection(pair.proxyPort(), 5000)) {
            jedis.auth("app", PASSWORD);
            assertEquals("+OK\r\n", c.call("AUTH", "app", PASSWORD));
            Thread.sleep(SHORT.toMillis() + 300);
            assertEquals("PONG", jedis.ping(), "Jedis signed in within the timeout and stays");
            assertEquals("+RESET\r\n", c.call("RESET"));
            assertTrue(c.readReply().startsWith("-ERR authentication timeout"), "signed out by RESET: the clock runs");
            assertTrue(c.closedByPeer());
        }
    }

    // ---- request_timeout ------------------------------------------------------------------------

    @Test
    void aRequestTrickledByteByByteIsCutOffAfterTheRepliesOwed() throws Exception {
        LimitsConfig limits = LimitsConfig.defaults().withTimeouts(Duration.ZERO, SHORT, Duration.ZERO);
        try (ProxiedRedis pair = start(TestPolicies.transparent(), limits);
             RawConnection loris = new RawConnection(pair.proxyPort(), 5000);
             RawConnection other = new RawConnection(pair.proxyPort(), 5000)) {
            loris.send(multibulk("SET", "done", "1") + "*3\r\n$3\r\nSET\r\n");
            assertEquals("+OK\r\n", loris.readReply(), "the complete command before it is answered");
            byte[] rest = "$1\r\nk\r\n$5\r\nvalue\r\n".getBytes();
            long start = System.nanoTime();
            boolean cut = false;
            for (int i = 0; i < rest.length - 1 && !cut; i++) {
                try {
                    loris.send(new byte[] {rest[i]}); // one byte every 150 ms: the request keeps growing
                } catch (java.io.IOException closed) {
                    cut = true;
                }
                Thread.sleep(150);
                assertEquals("+PONG\r\n", other.call("PING"), "another connection is served meanwhile");
            }
            assertEquals("-ERR request timeout: the request was not complete within 600ms (limits.request_timeout)\r\n",
                    loris.readReply());
            assertTrue(loris.closedByPeer());
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis < 2500, "cut off after " + elapsedMillis + " ms");
            assertEquals("$-1\r\n", other.call("GET", "k"), "the trickled SET never ran");
            assertEquals("1.0", metric(pair, "request_timeout"));
        }
    }

    @Test
    void aLargeValueOnASlowLinkPassesBecauseProgressRestartsTheClock() throws Exception {
        LimitsConfig limits = LimitsConfig.defaults().withTimeouts(Duration.ZERO, SHORT, Duration.ZERO);
        int size = 1024 * 1024;
        int chunk = 96 * 1024;
        try (ProxiedRedis pair = start(TestPolicies.transparent(), limits);
             RawConnection uploader = new RawConnection(pair.proxyPort(), 10_000)) {
            uploader.send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + size + "\r\n");
            byte[] payload = new byte[chunk];
            Arrays.fill(payload, (byte) 'x');
            long start = System.nanoTime();
            for (int sent = 0; sent < size; sent += chunk) {
                uploader.send(Arrays.copyOf(payload, Math.min(chunk, size - sent)));
                Thread.sleep(400); // 96 KiB per 400 ms: the whole upload takes far longer than 600 ms
            }
            uploader.send("\r\n");
            assertEquals("+OK\r\n", uploader.readReply());
            assertTrue((System.nanoTime() - start) / 1_000_000 > 3 * SHORT.toMillis());
            assertEquals(":" + size + "\r\n", uploader.call("STRLEN", "big"));
            assertEquals("0.0", metric(pair, "request_timeout"));
        }
    }

    // ---- idle_timeout ---------------------------------------------------------------------------

    @Test
    void idleClientsAreClosedButNotSubscribersBlockedClientsOrActiveOnes() throws Exception {
        Duration idleTimeout = Duration.ofSeconds(1);
        LimitsConfig limits = LimitsConfig.defaults().withTimeouts(Duration.ZERO, Duration.ZERO, idleTimeout);
        try (ProxiedRedis pair = start(TestPolicies.transparent(), limits)) {
            // Each connection is used as soon as it is open: the clock of each runs from its connect.
            try (RawConnection publisher = new RawConnection(pair.proxyPort(), 5000)) {
                assertEquals("+PONG\r\n", publisher.call("PING"));
                try (RawConnection idle = new RawConnection(pair.proxyPort(), 5000);
                     RawConnection subscriber = new RawConnection(pair.proxyPort(), 5000);
                     RawConnection blocked = new RawConnection(pair.proxyPort(), 5000);
                     RawConnection active = new RawConnection(pair.proxyPort(), 5000)) {
                    assertEquals("+PONG\r\n", idle.call("PING"));
                    subscriber.command("SUBSCRIBE", "news");
                    assertTrue(subscriber.readReply().contains("subscribe"));
                    blocked.command("BLPOP", "queue", "0");
                    long start = System.nanoTime();
                    while (System.nanoTime() - start < 2 * idleTimeout.toNanos() + 500_000_000L) {
                        assertEquals("+PONG\r\n", active.call("PING"));
                        assertEquals("+PONG\r\n", publisher.call("PING"));
                        Thread.sleep(150);
                    }
                    assertTrue(idle.closedByPeer(), "an idle client is closed without a reply, as Redis does");
                    assertEquals(":1\r\n", publisher.call("PUBLISH", "news", "hello"), "the subscriber is still there");
                    assertTrue(subscriber.readReply().contains("hello"));
                    assertEquals(":1\r\n", publisher.call("RPUSH", "queue", "job"));
                    assertEquals("*2\r\n$5\r\nqueue\r\n$3\r\njob\r\n", blocked.readReply(),
                            "the blocked client got its reply");
                    assertEquals("+PONG\r\n", blocked.call("PING"));
                    assertEquals("1.0", metric(pair, "idle_timeout"));
                }
            }
        }
    }

    /** Redis never times out a MONITOR client (it is flagged like a replica), however quiet Redis is. */
    @Test
    void aQuietMonitorIsNotIdle() throws Exception {
        Duration idleTimeout = Duration.ofSeconds(1);
        LimitsConfig limits = LimitsConfig.defaults().withTimeouts(Duration.ZERO, Duration.ZERO, idleTimeout);
        try (ProxiedRedis pair = start(TestPolicies.transparent(), limits);
             RawConnection monitor = new RawConnection(pair.proxyPort(), 5000)) {
            assertEquals("+OK\r\n", monitor.call("MONITOR"));
            Thread.sleep(2 * idleTimeout.toMillis() + 500);
            try (RawConnection other = new RawConnection(pair.proxyPort(), 5000)) {
                assertEquals("$5\r\nhello\r\n", other.call("ECHO", "hello"));
            }
            String line = monitor.readReply();
            assertTrue(line.contains("\"ECHO\" \"hello\""), line);
        }
    }

    @Test
    void timeoutsOffMeansNothingIsClosed() throws Exception {
        LimitsConfig limits = LimitsConfig.defaults().withTimeouts(Duration.ZERO, Duration.ZERO, Duration.ZERO);
        try (ProxiedRedis pair = start(passwordPolicy(), limits);
             RawConnection c = new RawConnection(pair.proxyPort(), 1500)) {
            c.send("*1\r\n");
            assertFalse(c.closedByPeer(), "nothing closes an unauthenticated, idle, half-sent connection");
            c.send("$4\r\nPING\r\n");
            assertTrue(c.readReply().startsWith("-NOAUTH"));
        }
    }
}
