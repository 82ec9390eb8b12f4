package io.respgate.proxy.policy;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.LimitsConfig;
import io.respgate.policy.PolicySnapshot;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared policies and helpers for the policy-enforcement end-to-end tests. */
final class Fixtures {
    static final String ALICE_PASS = "alice-secret-pw";
    static final String BOB_PASS = "bob-secret-pw";
    static final String CAROL_PASS = "carol-secret-pw";
    static final String DEFAULT_PASS = "default-secret-pw";

    static final String WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    static final String NOAUTH = "-NOAUTH Authentication required.\r\n";
    static final String KEYS_NOPERM = "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n";
    static final String EXECABORT = "-EXECABORT Transaction discarded because of previous errors.\r\n";
    static final String GUARDRAIL_PREFIX = "-NOPERM this command is blocked by the RespGate guardrail";

    private Fixtures() {
    }

    /**
     * default is off; alice may touch only app:* keys; bob may touch every key; carol is disabled.
     * The default guardrails (FLUSHALL, DEBUG, ...) stay in force.
     */
    static String standardYaml() {
        return """
                users:
                  default:
                    acl: "off"
                  alice:
                    acl: "on #%s ~app:* &* +@all"
                  bob:
                    acl: "on #%s ~* &* +@all"
                  carol:
                    acl: "off #%s ~* &* +@all"
                """.formatted(TestPolicies.hash(ALICE_PASS), TestPolicies.hash(BOB_PASS),
                TestPolicies.hash(CAROL_PASS));
    }

    static PolicySnapshot standard() {
        return TestPolicies.parse(standardYaml());
    }

    static ProxiedRedis start(PolicySnapshot policy) throws Exception {
        Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        return ProxiedRedis.start(policy, LimitsConfig.defaults());
    }

    static ProxiedRedis startStandard() throws Exception {
        return start(standard());
    }

    static RawConnection signedIn(ProxiedRedis pair, String user, String pass) throws IOException {
        RawConnection c = new RawConnection(pair.proxyPort());
        assertEquals("+OK\r\n", c.call("AUTH", user, pass), "AUTH " + user);
        return c;
    }

    /** An INFO field from a raw INFO bulk reply. */
    static String infoField(String info, String field) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(field) + ":(\\S*)").matcher(info);
        return m.find() ? m.group(1) : null;
    }

    static int connectedClients(RawConnection direct) throws IOException {
        return Integer.parseInt(infoField(direct.call("INFO", "clients"), "connected_clients"));
    }

    /** How many client lines CLIENT LIST shows. */
    static int clientListLines(RawConnection direct) throws IOException {
        String reply = direct.call("CLIENT", "LIST");
        String body = reply.substring(reply.indexOf("\r\n") + 2);
        return (int) body.lines().filter(l -> l.startsWith("id=")).count();
    }
}
