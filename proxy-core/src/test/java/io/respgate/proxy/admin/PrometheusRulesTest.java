package io.respgate.proxy.admin;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.AdminConfig;
import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.ServerTlsConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPki;
import io.respgate.proxy.testing.TestPolicies;
import io.respgate.proxy.testing.TlsClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import javax.net.ssl.SSLContext;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Prometheus alerting rules in {@code deploy/prometheus} and the proxy's real {@code /metrics}
 * output, checked with {@code promtool} (from Debian's {@code prometheus} package, which .ci/run
 * installs): the rules parse, their unit tests pass, the exposition passes {@code promtool check
 * metrics}, and every RespGate metric the rules use is one the proxy exports.
 */
class PrometheusRulesTest {
    /** The tests run with {@code proxy-core/} as working directory. */
    static final Path DEPLOY = Path.of("..", "deploy", "prometheus");
    static final Path ALERTS = DEPLOY.resolve("alerts.yml");
    static final Path ALERTS_TEST = DEPLOY.resolve("alerts_test.yml");

    /** Metrics the rules use that another part of the proxy is still adding; promtool needs no live series. */
    static final List<String> NOT_YET_EXPORTED = List.of("respgate_upstream_bypass_", "respgate_upstream_drift_",
            "respgate_upstream_watch_");

    /** The situations issue 5 asks an alert for, by alert name. */
    static final Set<String> REQUIRED_ALERTS = Set.of("RespGateDown", "RespGateAuthFailureBurst",
            "RespGateAuthLockouts", "RespGateDenialSpike", "RespGateGuardrailHit", "RespGateUpstreamBypass",
            "RespGateUpstreamDrift", "RespGateUpstreamDown", "RespGateReloadFailed",
            "RespGateTlsHandshakeFailureBurst", "RespGateInsecureSetting", "RespGateCertificateExpiringSoon",
            "RespGateCertificateExpiryCritical", "RespGateCertificateExpired");

    static final String APP_PASS = "prom-rules-app-pw";

    ProxiedRedis pair;

    @BeforeEach
    void promtoolIsThere() {
        assumeTrue(onPath("promtool"), "promtool is not on PATH (Debian package prometheus; .ci/run installs it)");
        assertTrue(Files.isRegularFile(ALERTS), ALERTS.toAbsolutePath() + " is missing");
    }

    @AfterEach
    void stop() throws Exception {
        if (pair != null) {
            pair.close();
        }
    }

    @Test
    void rulesPassPromtoolCheckRules() throws Exception {
        Result r = promtool(null, "check", "rules", ALERTS.toString());
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("SUCCESS"), r.output);
    }

    @Test
    void ruleUnitTestsPass() throws Exception {
        Result r = promtool(null, "test", "rules", ALERTS_TEST.toString());
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("SUCCESS"), r.output);
    }

    /** What promtool cannot check: the conventions every RespGate alert follows, and the coverage asked for. */
    @Test
    void everyAlertHasSeveritySummaryAndDescription() throws Exception {
        Set<String> names = new TreeSet<>();
        for (Map<String, Object> rule : rules()) {
            String name = String.valueOf(rule.get("alert"));
            assertTrue(names.add(name), "alert " + name + " is defined twice");
            Map<?, ?> labels = (Map<?, ?>) rule.get("labels");
            assertTrue(labels != null && Set.of("critical", "warning", "info").contains(labels.get("severity")),
                    name + " needs a severity label of critical, warning or info");
            Map<?, ?> annotations = (Map<?, ?>) rule.get("annotations");
            assertTrue(annotations != null && annotations.get("summary") instanceof String
                    && annotations.get("description") instanceof String, name + " needs summary and description");
            assertTrue(rule.containsKey("for"), name + " states its for: duration, 0m included");
        }
        Set<String> missing = new TreeSet<>(REQUIRED_ALERTS);
        missing.removeAll(names);
        assertTrue(missing.isEmpty(), "missing alerts: " + missing);

        // The promtool unit tests make at least 4 different alerts fire.
        Set<String> tested = new TreeSet<>();
        Map<?, ?> doc = (Map<?, ?>) load(ALERTS_TEST);
        for (Object test : (List<?>) doc.get("tests")) {
            for (Object check : (List<?>) ((Map<?, ?>) test).get("alert_rule_test")) {
                Map<?, ?> c = (Map<?, ?>) check;
                if (c.get("exp_alerts") instanceof List<?> l && !l.isEmpty()) {
                    tested.add(String.valueOf(c.get("alertname")));
                }
            }
        }
        assertTrue(tested.size() >= 4, "alerts_test.yml makes only " + tested + " fire");
    }

    /**
     * A real proxy (TLS listener, admin endpoint, a policy with a password user and the default
     * guardrails) after some traffic: its /metrics passes {@code promtool check metrics}, and
     * carries every RespGate metric the rules use.
     */
    @Test
    void realMetricsPassPromtoolAndCarryEveryMetricTheRulesUse(@TempDir Path dir) throws Exception {
        assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        TestPki pki = TestPki.create(dir.resolve("pki"), "metrics");
        TestPki.Issued server = pki.server("server");
        pair = ProxiedRedis.start();
        // insecure_allow_anonymous changes nothing on loopback, but is exported as an insecure setting.
        ListenConfig listen = new ListenConfig(ProxiedRedis.HOST, 0,
                Optional.of(ServerTlsConfig.of(server.cert(), server.key())), false, true);
        pair.startProxy(new RespGateConfig(listen, UpstreamConfig.of(ProxiedRedis.HOST, pair.redisPort()),
                LimitsConfig.defaults(), Optional.empty(), Optional.of(AdminConfig.loopback(0))),
                TestPolicies.parse("""
                        users:
                          default:
                            acl: "off"
                          app:
                            acl: "on #%s ~app:* &* +@all"
                        """.formatted(TestPolicies.hash(APP_PASS))));

        SSLContext tls = TlsClients.context(pki.caCert(), null);
        try (RawConnection c = TlsClients.raw(tls, pair.proxyPort())) {
            assertTrue(c.call("AUTH", "app", "wrong").startsWith("-WRONGPASS"));
            assertEquals("+OK\r\n", c.call("AUTH", "app", APP_PASS));
            assertEquals("+OK\r\n", c.call("SET", "app:1", "v"));
            assertEquals("$1\r\nv\r\n", c.call("GET", "app:1"));
            assertTrue(c.call("GET", "other").startsWith("-NOPERM"), "denied by the ACL");
            assertTrue(c.call("FLUSHALL").startsWith("-NOPERM"), "denied by a guardrail");
        }
        try (RawConnection plaintext = new RawConnection(pair.proxyPort(), 5_000)) {
            plaintext.send(RawConnection.multibulk("PING"));
            assertTrue(plaintext.closedByPeer(), "plaintext on the TLS port is closed");
        }

        String failedHandshake = "respgate_tls_handshakes_total{reason=";
        String metrics = scrape();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!metrics.contains(failedHandshake) && System.nanoTime() < deadline) {
            Thread.sleep(50); // the failed handshake may be counted just after the channel closes
            metrics = scrape();
        }
        assertTrue(metrics.contains(failedHandshake), "failed handshake counted:\n" + metrics);

        Set<String> used = new TreeSet<>();
        // The alert rules and the Grafana dashboard must only use series the proxy exports.
        String dashboard = Files.readString(DEPLOY.resolveSibling("grafana").resolve("respgate.json"));
        Matcher m = Pattern.compile("respgate_[a-z_]+").matcher(String.join("\n", expressions()) + "\n" + dashboard);
        while (m.find()) {
            used.add(m.group());
        }
        assertTrue(used.size() >= 10, "metric names found in the rules: " + used);
        List<String> absent = new ArrayList<>();
        for (String name : used) {
            if (NOT_YET_EXPORTED.stream().anyMatch(name::startsWith)) {
                continue;
            }
            if (!Pattern.compile("^" + name + "[{ ]", Pattern.MULTILINE).matcher(metrics).find()) {
                absent.add(name);
            }
        }
        assertTrue(absent.isEmpty(), "the rules or the dashboard use metrics the proxy does not export: " + absent + "\n" + metrics);
        assertFalse(metrics.contains(APP_PASS), "no secret in metrics");

        Path file = dir.resolve("metrics.txt");
        Files.writeString(file, metrics, StandardCharsets.UTF_8);
        Result r = promtool(file, "check", "metrics");
        assertEquals(0, r.exit, "promtool check metrics found problems in RespGate's /metrics:\n" + r.output);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    String scrape() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("http://127.0.0.1:" + pair.proxy().adminAddress().getPort() + "/metrics");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rules() throws IOException {
        Map<?, ?> doc = (Map<?, ?>) load(ALERTS);
        List<?> groups = (List<?>) doc.get("groups");
        assertEquals(1, groups.size(), "one group");
        Map<?, ?> group = (Map<?, ?>) groups.get(0);
        assertEquals("respgate", group.get("name"));
        return (List<Map<String, Object>>) group.get("rules");
    }

    static List<String> expressions() throws IOException {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> rule : rules()) {
            out.add(String.valueOf(rule.get("expr")));
        }
        return out;
    }

    static Object load(Path file) throws IOException {
        return new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    }

    record Result(int exit, String output) {
    }

    /** Runs promtool with {@code stdin} (or nothing) as its standard input. */
    static Result promtool(Path stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("promtool");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                : ProcessBuilder.Redirect.from(stdin.toFile()));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("promtool " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), "promtool " + String.join(" ", args) + " (exit " + p.exitValue() + "):\n"
                + new String(out, StandardCharsets.UTF_8));
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
