package io.respgate.proxy.policy;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-user connection limits and source networks, end to end. */
@Timeout(30)
class ConnectionLimitTest {
    private static final String LIMIT = "-ERR this user has reached its connection limit\r\n";

    private static String policy() {
        return """
                users:
                  default:
                    acl: "off"
                  capped:
                    acl: "on #%s ~* +@all"
                    max_connections: 2
                  remote:
                    acl: "on #%s ~* +@all"
                    source_networks: ["10.0.0.0/8"]
                  local:
                    acl: "on #%s ~* +@all"
                    source_networks: ["127.0.0.0/8", "::1/128"]
                """.formatted(TestPolicies.hash("cap-pw"), TestPolicies.hash("remote-pw"), TestPolicies.hash("local-pw"));
    }

    @Test
    void aUserAtItsLimitIsRefusedUntilAConnectionCloses() throws Exception {
        try (ProxiedRedis pair = Fixtures.start(TestPolicies.parse(policy()))) {
            RawConnection first = Fixtures.signedIn(pair, "capped", "cap-pw");
            try (RawConnection second = Fixtures.signedIn(pair, "capped", "cap-pw");
                 RawConnection third = new RawConnection(pair.proxyPort())) {
                assertEquals(LIMIT, third.call("AUTH", "capped", "cap-pw"));
                assertEquals(Fixtures.NOAUTH, third.call("GET", "k"), "the refused connection is not signed in");
                assertEquals("+PONG\r\n", second.call("PING"), "the connections within the limit are unaffected");

                first.close();
                String reply = "";
                for (int i = 0; i < 50 && !reply.equals("+OK\r\n"); i++) {
                    reply = third.call("AUTH", "capped", "cap-pw");
                    if (!reply.equals("+OK\r\n")) {
                        Thread.sleep(50); // the proxy notices the close asynchronously
                    }
                }
                assertEquals("+OK\r\n", reply, "a closed connection gives its slot back");
            }
        }
    }

    @Test
    void aUserOutsideItsSourceNetworksCannotSignIn() throws Exception {
        try (ProxiedRedis pair = Fixtures.start(TestPolicies.parse(policy()));
             RawConnection client = new RawConnection(pair.proxyPort())) {
            assertEquals(Fixtures.WRONGPASS, client.call("AUTH", "remote", "remote-pw"),
                    "127.0.0.1 is not in 10.0.0.0/8, and the reply does not tell why");
            assertEquals("+OK\r\n", client.call("AUTH", "local", "local-pw"));
            assertTrue(client.call("SET", "k", "v").startsWith("+OK"));
        }
    }
}
