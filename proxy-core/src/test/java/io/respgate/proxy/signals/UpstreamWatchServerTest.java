package io.respgate.proxy.signals;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.MeterRegistry;
import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.Secret;
import io.respgate.config.UpstreamConfig;
import io.respgate.policy.Cidr;
import io.respgate.policy.PasswordHashing;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static io.respgate.proxy.signals.Waiting.checksPass;
import static io.respgate.proxy.signals.Waiting.counter;
import static io.respgate.proxy.signals.Waiting.gauge;
import static io.respgate.proxy.signals.Waiting.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The watch as RespGate runs it: started with the server, every second, on the server's registry. */
class UpstreamWatchServerTest {
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration DETECTION = Duration.ofSeconds(8);

    @BeforeAll
    static void needsRedis() {
        assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
    }

    static RespGateConfig watched(UpstreamConfig upstream, List<Cidr> knownClients) {
        return new RespGateConfig(new ListenConfig(ProxiedRedis.HOST, 0),
                upstream.withWatch(UpstreamConfig.Watch.every(INTERVAL, knownClients)), LimitsConfig.defaults());
    }

    static RespGateConfig watched(int redisPort, List<Cidr> knownClients) {
        return watched(UpstreamConfig.of(ProxiedRedis.HOST, redisPort), knownClients);
    }

    @Test
    void aDirectConnectionIsReportedOnceAndTheProxysOwnAreNot() throws Exception {
        try (LogCapture logs = new LogCapture(); ProxiedRedis pair = ProxiedRedis.start()) {
            pair.startProxy(watched(pair.redisPort(), List.of()), TestPolicies.transparent());
            MeterRegistry registry = pair.proxy().metrics().registry();
            try (RawConnection viaProxy1 = new RawConnection(pair.proxyPort());
                 RawConnection viaProxy2 = new RawConnection(pair.proxyPort())) {
                assertEquals("+PONG\r\n", viaProxy1.call("PING"));
                assertEquals("+OK\r\n", viaProxy2.call("SET", "k", "v"));
                int directPort;
                try (RawConnection direct = new RawConnection(pair.redisPort())) {
                    assertEquals("+OK\r\n", direct.call("CLIENT", "SETNAME", "sneaky"));
                    directPort = direct.socket().getLocalPort();
                    waitFor(() -> counter(registry, WatchMetrics.BYPASS_DETECTED) >= 1, DETECTION,
                            () -> "the direct connection to be detected");
                    assertEquals(1.0, gauge(registry, WatchMetrics.BYPASS_CONNECTIONS));

                    // Proxy connections opening and closing around the next checks are never bypasses,
                    // and the direct one is not counted again.
                    double target = Waiting.checks(registry) + 2;
                    while (Waiting.checks(registry) < target) {
                        try (RawConnection churn = new RawConnection(pair.proxyPort())) {
                            assertEquals("+PONG\r\n", churn.call("PING"));
                        }
                        Thread.sleep(20);
                    }
                    assertEquals(1.0, counter(registry, WatchMetrics.BYPASS_DETECTED));
                    assertEquals(1.0, gauge(registry, WatchMetrics.BYPASS_CONNECTIONS),
                            "only the direct connection, not the proxy's (all older than 2 s by now)");
                    assertEquals("$1\r\nv\r\n", viaProxy1.call("GET", "k"));
                }
                List<String> warnings = logs.messages(Level.WARN, "bypasses RespGate");
                assertEquals(1, warnings.size(), () -> String.join("\n", warnings));
                assertTrue(warnings.get(0).contains("addr=127.0.0.1:" + directPort + " user=default name=sneaky"
                        + " cmd=client|setname"), warnings.get(0));

                waitFor(() -> gauge(registry, WatchMetrics.BYPASS_CONNECTIONS) == 0.0, DETECTION,
                        () -> "the gauge to drop once the direct connection is gone");
                assertEquals(1.0, counter(registry, WatchMetrics.BYPASS_DETECTED));
                assertEquals(1, logs.messages(Level.INFO, "no connection bypasses RespGate any more").size());
                assertTrue(pair.proxy().metrics().scrape().contains("respgate_upstream_bypass_detected_total 1.0"),
                        "exported under its Prometheus name");
            }
        }
    }

    @Test
    void connectionsFromKnownClientNetworksAreNotReported() throws Exception {
        // Protected mode would refuse 127.0.0.2: Redis counts only 127.0.0.1 and ::1 as loopback.
        try (LogCapture logs = new LogCapture(); ProxiedRedis pair = ProxiedRedis.start("--protected-mode", "no")) {
            pair.startProxy(watched(pair.redisPort(), List.of(Cidr.parse("127.0.0.2/32"))), TestPolicies.transparent());
            MeterRegistry registry = pair.proxy().metrics().registry();
            Socket fromKnown = new Socket();
            fromKnown.bind(new InetSocketAddress("127.0.0.2", 0));
            fromKnown.connect(new InetSocketAddress(ProxiedRedis.HOST, pair.redisPort()), 2000);
            try (RawConnection known = new RawConnection(fromKnown, 5000);
                 RawConnection direct = new RawConnection(pair.redisPort())) {
                assertEquals("+PONG\r\n", known.call("PING"));
                assertEquals("+PONG\r\n", direct.call("PING"));
                waitFor(() -> counter(registry, WatchMetrics.BYPASS_DETECTED) >= 1, DETECTION,
                        () -> "the connection from 127.0.0.1 to be detected");
                checksPass(registry, 1);
                assertEquals(1.0, gauge(registry, WatchMetrics.BYPASS_CONNECTIONS), "127.0.0.2 is a known client");
                assertEquals(1.0, counter(registry, WatchMetrics.BYPASS_DETECTED));
                assertFalse(logs.all().contains("addr=127.0.0.2:"), logs::all);
                assertEquals(1, logs.messages(Level.WARN, "addr=127.0.0.1:" + direct.socket().getLocalPort()).size());
            }
        }
    }

    @Test
    void aWholeKnownNetworkIsNeverReported() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start()) {
            pair.startProxy(watched(pair.redisPort(), List.of(Cidr.parse("127.0.0.0/8"))), TestPolicies.transparent());
            MeterRegistry registry = pair.proxy().metrics().registry();
            try (RawConnection direct = new RawConnection(pair.redisPort())) {
                assertEquals("+PONG\r\n", direct.call("PING"));
                checksPass(registry, 3); // the connection is older than 2 s and seen twice by now
                assertEquals(0.0, gauge(registry, WatchMetrics.BYPASS_CONNECTIONS));
                assertEquals(0.0, counter(registry, WatchMetrics.BYPASS_DETECTED));
            }
        }
    }

    @Test
    void settingsAndUsersChangedDirectlyOnRedisAreDriftAndNoSecretIsLogged() throws Exception {
        String redisPassword = "watch-redis-secret-1";
        String intruderPassword = "watch-intruder-secret-2";
        try (LogCapture logs = new LogCapture();
             ProxiedRedis pair = ProxiedRedis.start(TestPolicies.transparent(), LimitsConfig.defaults(),
                     "--requirepass", redisPassword)) {
            UpstreamConfig upstream = new UpstreamConfig(ProxiedRedis.HOST, pair.redisPort(), Optional.empty(),
                    Optional.of(Secret.ofUtf8(redisPassword)), Duration.ofSeconds(2));
            pair.startProxy(watched(upstream, List.of()), TestPolicies.transparent());
            MeterRegistry registry = pair.proxy().metrics().registry();
            waitFor(() -> !logs.messages(Level.INFO, "baseline of Redis's security settings").isEmpty(), DETECTION,
                    () -> "the baseline");
            String baseline = logs.messages(Level.INFO, "baseline").get(0);
            assertTrue(baseline.contains("appendonly=\"no\"") && baseline.contains("requirepass=\"set\"")
                    && baseline.contains("acl users=[default]"), baseline);

            try (RawConnection direct = new RawConnection(pair.redisPort())) {
                assertEquals("+OK\r\n", direct.call("AUTH", redisPassword));
                assertEquals("+OK\r\n", direct.call("CONFIG", "SET", "appendonly", "yes"));
                assertEquals("+OK\r\n", direct.call("ACL", "SETUSER", "intruder", "on", ">" + intruderPassword,
                        "~*", "+@all"));
                waitFor(() -> counter(registry, WatchMetrics.DRIFT, "setting", "appendonly") == 1
                        && counter(registry, WatchMetrics.DRIFT, "setting", "acl") == 1, DETECTION,
                        () -> "drift of appendonly and acl");
            }
            checksPass(registry, 1);
            for (String setting : DriftTracker.SETTINGS) {
                if (!setting.equals("appendonly")) {
                    assertEquals(0.0, counter(registry, WatchMetrics.DRIFT, "setting", setting), setting);
                }
            }
            assertEquals(1.0, counter(registry, WatchMetrics.DRIFT, "setting", "acl"), "reported once");
            assertEquals(1, logs.messages(Level.WARN, "Redis setting appendonly changed from \"no\" to \"yes\"").size(),
                    logs::all);
            List<String> acl = logs.messages(Level.WARN, "Redis ACL users changed", "added intruder (on ~* ");
            assertEquals(1, acl.size(), logs::all);
            assertTrue(pair.proxy().metrics().scrape().contains("respgate_upstream_drift_total{setting=\"appendonly\"} 1.0"));

            pair.stopProxy();
            String all = logs.all();
            for (String secret : List.of(redisPassword, intruderPassword, sha256(redisPassword), sha256(intruderPassword))) {
                assertFalse(all.contains(secret), "the log leaks a secret");
            }
        }
    }

    @Test
    void codeBuiltConfigsAreNotWatched() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start()) {
            assertNull(pair.proxy().metrics().registry().find(WatchMetrics.BYPASS_CONNECTIONS).gauge());
            assertNull(pair.proxy().metrics().registry().find(WatchMetrics.CHECKS).counter());
        }
    }

    static String sha256(String s) {
        return PasswordHashing.sha256Hex(s.getBytes(StandardCharsets.UTF_8));
    }
}
