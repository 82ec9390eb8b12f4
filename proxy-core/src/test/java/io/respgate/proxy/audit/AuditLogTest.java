package io.respgate.proxy.audit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.AuditConfig;
import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.policy.PasswordHashing;
import io.respgate.policy.PolicySnapshot;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A full run with the audit log on: the expected events appear, one JSON object per line, and
 * neither the audit log nor the console log contains a password, an AUTH argument or a value.
 */
class AuditLogTest {
    static final String APP_PASS = "audit-app-secret-pw";
    static final String WRONG_PASS = "audit-mistyped-secret";
    static final String VALUE = "audit-secret-value";
    static final String KEY = "app:customer-4711";

    @TempDir
    Path dir;

    static String policyYaml(String extraUser) {
        return """
                users:
                  default:
                    acl: "off"
                  app:
                    acl: "on #%s ~app:* &* +@all"
                %s""".formatted(TestPolicies.hash(APP_PASS), extraUser);
    }

    @Test
    void recordsWhoDidWhatAndNeverASecret() throws Exception {
        assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        Path file = dir.resolve("audit.jsonl");
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ListAppender<ILoggingEvent> console = new ListAppender<>();
        console.setContext(context);
        console.start();
        Logger respgate = context.getLogger("io.respgate");
        respgate.addAppender(console);
        try (ProxiedRedis pair = ProxiedRedis.start()) {
            PolicySnapshot policy = TestPolicies.parse(policyYaml(""));
            pair.startProxy(new RespGateConfig(new ListenConfig(ProxiedRedis.HOST, 0),
                    UpstreamConfig.of(ProxiedRedis.HOST, pair.redisPort()), LimitsConfig.defaults())
                    .withAudit(new AuditConfig(file, AuditConfig.KeyMode.HASHED)), policy);
            try (RawConnection c = new RawConnection(pair.proxyPort())) {
                assertTrue(c.call("AUTH", "app", WRONG_PASS).startsWith("-WRONGPASS"));
                assertTrue(c.call("AUTH", WRONG_PASS).startsWith("-WRONGPASS"));
                assertEquals("+OK\r\n", c.call("AUTH", "app", APP_PASS));
                assertEquals("+OK\r\n", c.call("SET", KEY, VALUE));
                assertTrue(c.call("GET", "other:1").startsWith("-NOPERM"));
                assertTrue(c.call("FLUSHALL").startsWith("-NOPERM"));
                assertTrue(c.call("CONFIG", "GET", "maxmemory").startsWith("*"));
            }
            pair.proxy().applyPolicy(TestPolicies.parse(policyYaml("""
                      ops:
                        acl: "on #%s ~* +@all"
                    """.formatted(TestPolicies.hash("ops-pw")))));
            pair.stopProxy(); // flushes the audit log
        } finally {
            respgate.detachAppender(console);
        }
        String audit = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = audit.lines().collect(Collectors.toList());
        List<Map<String, Object>> events = lines.stream().map(JsonLine::parse).collect(Collectors.toList());
        for (Map<String, Object> e : events) {
            assertTrue(java.time.Instant.parse((String) e.get("time")).isBefore(java.time.Instant.now().plusSeconds(1)));
            assertTrue(e.get("event") instanceof String, e::toString);
        }
        Map<String, Object> guardrail = only(events, "guardrail");
        assertEquals("app", guardrail.get("user"));
        assertEquals("flushall", guardrail.get("command"));
        assertEquals("deny", guardrail.get("decision"));
        assertEquals("guardrail:flushall", guardrail.get("rule"));
        assertTrue(((String) guardrail.get("client")).startsWith("127.0.0.1:"));
        assertTrue(guardrail.get("conn") instanceof Long);
        Map<String, Object> denial = only(events, "denial");
        assertEquals("get", denial.get("command"));
        assertEquals("acl:app", denial.get("rule"));
        assertEquals(PasswordHashing.sha256Hex("other:1".getBytes(StandardCharsets.UTF_8)).substring(0, 16),
                denial.get("key"), "the first key, hashed");
        assertEquals(guardrail.get("conn"), denial.get("conn"), "one connection");
        Map<String, Object> config = only(events, "sensitive_allowed");
        assertEquals("config", config.get("command"));
        assertEquals("get", config.get("subcommand"));
        assertEquals("allow", config.get("decision"));
        Map<String, Object> reload = only(events, "policy_reload");
        assertEquals(List.of("ops"), reload.get("users_added"));
        assertEquals(List.of(), reload.get("users_removed"));
        assertEquals(List.of(), reload.get("users_changed"));
        assertTrue(has(lines, "\"event\":\"auth_failure\"", "\"user\":\"app\"", "\"client\":\"127.0.0.1:"), audit);
        assertTrue(has(lines, "\"event\":\"auth_success\"", "\"user\":\"app\"", "\"method\":\"password\"", "\"conn\":"), audit);
        assertTrue(has(lines, "\"event\":\"new_source\"", "\"user\":\"app\""), audit);
        assertTrue(has(lines, "\"event\":\"denial\"", "\"command\":\"get\"", "\"rule\":\"acl:app\"", "\"decision\":\"deny\""), audit);
        assertTrue(has(lines, "\"event\":\"guardrail\"", "\"command\":\"flushall\"", "\"rule\":\"guardrail:flushall\""), audit);
        assertTrue(has(lines, "\"event\":\"sensitive_allowed\"", "\"command\":\"config\"", "\"subcommand\":\"get\""), audit);
        assertTrue(has(lines, "\"event\":\"policy_reload\"", "\"users_added\":[\"ops\"]", "\"users_removed\":[]"), audit);
        assertFalse(has(lines, "\"event\":\"auth_failure\"", "\"user\":\"" + WRONG_PASS), "an unknown user name is not recorded");

        String consoleText = console.list.stream().map(ILoggingEvent::getFormattedMessage)
                .collect(Collectors.joining("\n"));
        for (String secret : List.of(APP_PASS, WRONG_PASS, VALUE, "ops-pw", TestPolicies.hash(APP_PASS))) {
            assertFalse(audit.contains(secret), "audit log leaks " + secret);
            assertFalse(consoleText.contains(secret), "console log leaks " + secret);
        }
        assertFalse(audit.contains(KEY), "keys are hashed by default");
    }

    static Map<String, Object> only(List<Map<String, Object>> events, String event) {
        List<Map<String, Object>> found = events.stream().filter(e -> event.equals(e.get("event")))
                .collect(Collectors.toList());
        assertEquals(1, found.size(), () -> event + " events: " + found);
        return found.get(0);
    }

    static boolean has(List<String> lines, String... parts) {
        return lines.stream().anyMatch(l -> List.of(parts).stream().allMatch(l::contains));
    }
}
