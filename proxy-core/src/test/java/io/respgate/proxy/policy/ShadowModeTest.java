package io.respgate.proxy.policy;

import io.respgate.config.ConfigException;
import io.respgate.config.PolicyLoader;
import io.respgate.policy.PolicySnapshot;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shadow mode: a command the user's own rules would deny is forwarded and counted as
 * {@code would_deny}; the guardrails still deny.
 */
class ShadowModeTest {
    static final String PASS = "shadow-app-pw";

    static PolicySnapshot policy(String topMode, String userMode) {
        return TestPolicies.parse("""
                %s
                users:
                  default:
                    acl: "off"
                  app:
                    acl: "on #%s ~app:* &* +@read +@write +ping"
                %s
                  strict:
                    acl: "on #%s ~app:* &* +@read"
                """.formatted(topMode, TestPolicies.hash(PASS), userMode, TestPolicies.hash(PASS)));
    }

    static double value(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        return Double.NaN;
    }

    @Test
    void wholePolicyInShadowForwardsWhatTheRulesWouldDenyButKeepsTheGuardrails() throws Exception {
        try (ProxiedRedis pair = Fixtures.start(policy("mode: shadow", ""));
             RawConnection c = new RawConnection(pair.proxyPort())) {
            assertEquals("+OK\r\n", c.call("AUTH", "app", PASS));
            assertEquals("+OK\r\n", c.call("SET", "other:1", "v"), "outside ~app:*, forwarded in shadow mode");
            assertEquals("$1\r\nv\r\n", c.call("GET", "other:1"));
            assertTrue(c.call("FLUSHALL").startsWith("-NOPERM this command is blocked by the RespGate guardrail"));
            String m = pair.proxy().metrics().scrape();
            assertEquals(1.0, value(m, "respgate_commands_total{command=\"set\",outcome=\"would_deny\"}"), m);
            assertEquals(1.0, value(m, "respgate_commands_total{command=\"get\",outcome=\"would_deny\"}"));
            assertEquals(1.0, value(m, "respgate_commands_total{command=\"flushall\",outcome=\"denied\"}"));
        }
    }

    @Test
    void oneUserInShadowTheOthersEnforced() throws Exception {
        try (ProxiedRedis pair = Fixtures.start(policy("mode: enforce", "    mode: shadow"))) {
            try (RawConnection app = new RawConnection(pair.proxyPort())) {
                assertEquals("+OK\r\n", app.call("AUTH", "app", PASS));
                assertEquals("+OK\r\n", app.call("SET", "other:2", "v"));
            }
            try (RawConnection strict = new RawConnection(pair.proxyPort())) {
                assertEquals("+OK\r\n", strict.call("AUTH", "strict", PASS));
                assertTrue(strict.call("GET", "other:2").startsWith("-NOPERM"), "strict is enforced");
                assertTrue(strict.call("SET", "app:1", "v").startsWith("-NOPERM"), "strict is read-only");
            }
        }
    }

    @Test
    void aModeOtherThanEnforceOrShadowIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> PolicyLoader.parse(
                "mode: audit\nusers:\n  default:\n    acl: \"off\"\n", "p.yaml"));
        assertEquals(Optional.of("mode"), e.keyPath());
        ConfigException user = assertThrows(ConfigException.class, () -> PolicyLoader.parse(
                "users:\n  default:\n    acl: \"off\"\n    mode: loud\n", "p.yaml"));
        assertEquals(Optional.of("users.default.mode"), user.keyPath());
    }
}
