package io.respgate.proxy.admin;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.AdminConfig;
import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.MetricsConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.Secret;
import io.respgate.config.UpstreamConfig;
import io.respgate.policy.PolicySnapshot;
import io.respgate.proxy.RespGateServer;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The admin HTTP endpoint against a running proxy and a real Redis. */
class AdminEndpointTest {
    static final String APP_PASS = "admin-test-app-pw";
    static final String TOKEN = "admin-test-token-value";

    ProxiedRedis pair;
    RespGateServer proxy;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static PolicySnapshot policy() {
        return TestPolicies.parse("""
                users:
                  default:
                    acl: "off"
                  app:
                    acl: "on #%s ~app:* &* +@all"
                """.formatted(TestPolicies.hash(APP_PASS)));
    }

    void start(Optional<Secret> token) throws Exception {
        start(token, MetricsConfig.defaults());
    }

    void start(Optional<Secret> token, MetricsConfig metrics) throws Exception {
        assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        pair = ProxiedRedis.start();
        pair.startProxy(new RespGateConfig(new ListenConfig(ProxiedRedis.HOST, 0),
                UpstreamConfig.of(ProxiedRedis.HOST, pair.redisPort()), LimitsConfig.defaults(), Optional.empty(),
                Optional.of(new AdminConfig("127.0.0.1", 0, token)), Optional.empty(), metrics), policy());
        proxy = pair.proxy();
    }

    @AfterEach
    void stop() throws Exception {
        if (pair != null) {
            pair.close();
        }
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path);
    }

    static double value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    @Test
    void metricsCountCommandsDenialsAndAuthentication() throws Exception {
        start(Optional.empty());
        try (RawConnection c = new RawConnection(pair.proxyPort())) {
            traffic(c, 1);
            HttpResponse<String> r = get("/metrics");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
            String m = r.body();
            assertEquals(1.0, value(m, "respgate_commands_total{command=\"set\",outcome=\"forwarded\"}"), m);
            assertEquals(1.0, value(m, "respgate_commands_total{command=\"get\",outcome=\"forwarded\"}"));
            assertEquals(1.0, value(m, "respgate_commands_total{command=\"get\",outcome=\"denied\"}"));
            assertEquals(1.0, value(m, "respgate_commands_total{command=\"incr\",outcome=\"forwarded\"}"));
            assertEquals(1.0, value(m, "respgate_commands_total{command=\"incr\",outcome=\"error\"}"), "Redis's error");
            assertEquals(0.0, value(m, "respgate_commands_total{command=\"get\",outcome=\"error\"}"));
            assertEquals(1.0, value(m, "respgate_denials_total{command=\"get\",rule=\"acl:app\",user=\"app\"}"), m);
            assertEquals(1.0, value(m, "respgate_guardrail_hits_total{rule=\"guardrail:flushall\"}"), m);
            assertEquals(1.0, value(m, "respgate_auth_total{reason=\"none\",result=\"success\"}"));
            assertEquals(1.0, value(m, "respgate_auth_total{reason=\"wrongpass\",result=\"failure\"}"));
            assertEquals(1.0, value(m, "respgate_connections_active"));
            assertEquals(1.0, value(m, "respgate_upstream_connections"));
            assertTrue(value(m, "respgate_upstream_bytes_total{direction=\"out\"}") > 0);
            assertEquals(1.0, value(m, "respgate_policy_info{version=\"" + proxy.policy().version() + "\"}"), m);
            double sampled = value(m, "respgate_command_duration_seconds_count");
            assertTrue(sampled >= 1 && sampled <= 3, "one sample per round trip of the three forwarded commands: " + sampled);
            assertEquals(sampled, value(m, "respgate_command_upstream_duration_seconds_count"));
            assertTrue(value(m, "respgate_command_duration_seconds_sum") >= value(m,
                    "respgate_command_upstream_duration_seconds_sum"), "the upstream part is part of the round trip");
            assertTrue(m.contains("respgate_command_duration_seconds_bucket{le="), "a histogram");
            assertTrue(m.contains("jvm_memory_used_bytes"), "JVM memory");
            assertTrue(value(m, "respgate_netty_memory_used_bytes{area=\"direct\"}") > 0,
                    "the memory of the allocator the channels use, with a connection open");
            assertFalse(m.contains(APP_PASS) || m.contains("wrong\""), "no secret in metrics");
        }
    }

    /**
     * A failed and a good AUTH, {@code rounds} SET/GET pairs, a Redis error (INCR), a denial (GET of
     * another user's key) and a guardrail hit (FLUSHALL), each reply checked.
     */
    private static void traffic(RawConnection c, int rounds) throws Exception {
        assertTrue(c.call("AUTH", "app", "wrong").startsWith("-WRONGPASS"));
        assertEquals("+OK\r\n", c.call("AUTH", "app", APP_PASS));
        for (int i = 0; i < rounds; i++) {
            assertEquals("+OK\r\n", c.call("SET", "app:1", "v"));
            assertEquals("$1\r\nv\r\n", c.call("GET", "app:1"));
        }
        assertTrue(c.call("INCR", "app:1").startsWith("-ERR value is not an integer"));
        assertTrue(c.call("GET", "other").startsWith("-NOPERM"));
        assertTrue(c.call("FLUSHALL").startsWith("-NOPERM"));
    }

    /**
     * Issue 5: {@code metrics.commands: false} takes the per-command meters of allowed traffic out of
     * {@code /metrics} (absent, not zero); denials and the connection, auth, upstream and memory meters
     * stay, and forwarding is unchanged.
     */
    @Test
    void commandMetricsOffLeavesOutPerCommandMetersOnly() throws Exception {
        start(Optional.empty(), new MetricsConfig(false));
        try (RawConnection c = new RawConnection(pair.proxyPort())) {
            traffic(c, 3 * 8); // enough round trips for the sampler to have sampled, were it on
            HttpResponse<String> r = get("/metrics");
            assertEquals(200, r.statusCode());
            String m = r.body();
            assertFalse(m.contains("outcome=\"forwarded\""), m);
            assertFalse(m.contains("outcome=\"error\""), m);
            assertFalse(m.contains("respgate_command_duration_seconds"), m);
            assertFalse(m.contains("respgate_command_upstream_duration_seconds"), m);
            assertEquals(1.0, value(m, "respgate_commands_total{command=\"get\",outcome=\"denied\"}"), m);
            assertEquals(1.0, value(m, "respgate_denials_total{command=\"get\",rule=\"acl:app\",user=\"app\"}"), m);
            assertEquals(1.0, value(m, "respgate_guardrail_hits_total{rule=\"guardrail:flushall\"}"), m);
            assertEquals(1.0, value(m, "respgate_auth_total{reason=\"none\",result=\"success\"}"), m);
            assertEquals(1.0, value(m, "respgate_auth_total{reason=\"wrongpass\",result=\"failure\"}"), m);
            assertEquals(1.0, value(m, "respgate_connections_active"), m);
            assertTrue(value(m, "respgate_connections_accepted_total") >= 1, m);
            assertEquals(1.0, value(m, "respgate_upstream_connections"), m);
            assertTrue(value(m, "respgate_upstream_bytes_total{direction=\"out\"}") > 0, m);
            assertTrue(value(m, "respgate_upstream_bytes_total{direction=\"in\"}") > 0, m);
            assertEquals(1.0, value(m, "respgate_policy_info{version=\"" + proxy.policy().version() + "\"}"), m);
            assertTrue(m.contains("jvm_memory_used_bytes"), "JVM memory");
            assertTrue(value(m, "respgate_netty_memory_used_bytes{area=\"direct\"}") > 0, m);
            assertFalse(m.contains(APP_PASS) || m.contains("wrong\""), "no secret in metrics");
        }
    }

    @Test
    void healthReadinessPolicyAndReload() throws Exception {
        start(Optional.empty());
        assertEquals("ok\n", get("/healthz").body());
        assertEquals(200, get("/readyz").statusCode());
        HttpResponse<String> policy = get("/policy");
        assertEquals("{\"version\":\"" + proxy.policy().version() + "\",\"loaded_at\":\""
                + proxy.policy().loadedAt() + "\",\"users\":2}\n", policy.body());
        assertFalse(policy.body().contains(TestPolicies.hash(APP_PASS)), "no password hash");
        assertEquals(405, get("/reload").statusCode());
        HttpResponse<String> reload = post("/reload");
        assertEquals(200, reload.statusCode());
        assertTrue(reload.body().contains("\"policy_reloaded\":false"), "a policy given in code has no file: "
                + reload.body());
        assertEquals(404, get("/nothing").statusCode());

        pair.redis().close();
        assertEquals(503, get("/readyz").statusCode(), "Redis is down");
        assertEquals(200, get("/healthz").statusCode(), "the proxy itself is alive");
    }

    @Test
    void aTokenIsRequiredWhenConfigured() throws Exception {
        start(Optional.of(Secret.ofUtf8(TOKEN)));
        assertEquals(401, get("/metrics").statusCode());
        assertEquals(401, get("/healthz", "Authorization", "Bearer wrong").statusCode());
        HttpResponse<String> ok = get("/metrics", "Authorization", "Bearer " + TOKEN);
        assertEquals(200, ok.statusCode());
        assertFalse(ok.body().contains(TOKEN));
    }

    @Test
    void anOversizedRequestIsRefusedAndTheEndpointKeepsServing() throws Exception {
        start(Optional.empty());
        HttpResponse<String> big = http.send(HttpRequest.newBuilder(uri("/reload")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(64 * 1024))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, big.statusCode(), "requests are limited to 16 KiB");
        assertEquals(200, get("/healthz").statusCode());
    }
}
