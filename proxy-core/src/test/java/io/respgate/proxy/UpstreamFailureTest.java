package io.respgate.proxy;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.LimitsConfig;
import io.respgate.config.Secret;
import io.respgate.config.UpstreamConfig;
import io.respgate.proxy.testing.TestPolicies;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;

import static io.respgate.proxy.testing.RawConnection.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a client sees when Redis is missing, goes away, or refuses the proxy's credentials. */
@Timeout(60)
class UpstreamFailureTest {
    private static final String UNAVAILABLE = "-" + ClientSession.UPSTREAM_UNAVAILABLE + "\r\n";

    @Test
    void unreachableRedisAnswersEveryCommandInOrderAndRecoversWhenRedisIsBack() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start()) {
            int port = pair.redisPort();
            pair.redis().close();
            try (RawConnection client = new RawConnection(pair.proxyPort())) {
                client.send(multibulk("PING") + multibulk("SET", "a", "1") + multibulk("QUIT"));
                assertEquals(UNAVAILABLE, client.readReply());
                assertEquals(UNAVAILABLE, client.readReply());
                assertEquals("+OK\r\n", client.readReply());
                assertTrue(client.closedByPeer());
            }
            try (RawConnection client = new RawConnection(pair.proxyPort())) {
                assertEquals(UNAVAILABLE, client.call("PING"));
                try (RedisProcess back = RedisProcess.startOnPort(port)) {
                    // Connects back off after a failure (at most 5 s): until the window ends, the
                    // error comes at once; then the same client connection works again.
                    String reply = client.call("PING");
                    long deadline = System.nanoTime() + 7_000_000_000L;
                    while (!reply.equals("+PONG\r\n") && System.nanoTime() < deadline) {
                        assertEquals(UNAVAILABLE, reply);
                        Thread.sleep(50);
                        reply = client.call("PING");
                    }
                    assertEquals("+PONG\r\n", reply, "the same client connection works once Redis is back");
                }
            }
        }
    }

    @Test
    void connectTimeoutIsBoundedByConfig() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start();
             ServerSocket blackhole = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            // A listener that never accepts still completes TCP handshakes from its backlog, so
            // instead point the proxy at a closed port: the refusal must come back promptly.
            int closedPort = blackhole.getLocalPort();
            blackhole.close();
            pair.startProxy(TestPolicies.transparent(), new UpstreamConfig("127.0.0.1", closedPort, Optional.empty(),
                    Optional.empty(), Duration.ofMillis(500)), LimitsConfig.defaults());
            try (RawConnection client = new RawConnection(pair.proxyPort(), 3000)) {
                long start = System.nanoTime();
                assertEquals(UNAVAILABLE, client.call("GET", "x"));
                assertTrue(System.nanoTime() - start < 2_000_000_000L, "answered within the connect timeout");
            }
        }
    }

    @Test
    void redisClosingTheLinkClosesTheClientAfterWhatArrived() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start();
             RawConnection client = new RawConnection(pair.proxyPort());
             RawConnection direct = new RawConnection(pair.redisPort())) {
            assertEquals("+OK\r\n", client.call("CLIENT", "SETNAME", "victim"));
            client.command("BLPOP", "never", "0");
            Thread.sleep(200);
            String killed = direct.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
            assertEquals(":1\r\n", killed, "exactly the proxy's upstream connection was killed");
            assertTrue(client.closedByPeer(), "the client is closed rather than left waiting for a reply that cannot come");
            try (RawConnection other = new RawConnection(pair.proxyPort())) {
                assertEquals("+PONG\r\n", other.call("PING"), "new clients are served");
            }
        }
    }

    @Test
    void theProxySignsInWithItsOwnCredentialsAndAgainAfterReset() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start("--requirepass", "upstream-secret")) {
            pair.startProxy(TestPolicies.transparent(), new UpstreamConfig("127.0.0.1", pair.redisPort(), Optional.empty(),
                    Optional.of(Secret.ofUtf8("upstream-secret")), Duration.ofSeconds(2)), LimitsConfig.defaults());
            try (RawConnection client = new RawConnection(pair.proxyPort())) {
                assertEquals("+OK\r\n", client.call("SET", "k", "v"));
                assertEquals("+RESET\r\n", client.call("RESET"));
                assertEquals("$1\r\nv\r\n", client.call("GET", "k"), "still signed in after RESET");
            }
        }
    }

    @Test
    void refusedProxyCredentialsGiveAClearErrorAndNoSecret() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start("--requirepass", "upstream-secret")) {
            pair.startProxy(TestPolicies.transparent(), new UpstreamConfig("127.0.0.1", pair.redisPort(), Optional.empty(),
                    Optional.of(Secret.ofUtf8("wrong-secret")), Duration.ofSeconds(2)), LimitsConfig.defaults());
            try (RawConnection client = new RawConnection(pair.proxyPort())) {
                client.send(multibulk("PING") + multibulk("GET", "k"));
                String first = client.readReply();
                assertEquals("-" + ClientSession.UPSTREAM_AUTH_FAILED + "\r\n", first);
                assertEquals(first, client.readReply());
                assertTrue(client.closedByPeer());
            }
        }
    }
}
