package io.respgate.proxy.policy;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.respgate.proxy.policy.Fixtures.NOAUTH;
import static io.respgate.proxy.policy.Fixtures.WRONGPASS;
import static io.respgate.proxy.policy.Fixtures.infoField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxy checks AUTH / HELLO AUTH itself against the policy's hashes; Redis never sees them. */
@Timeout(60)
class AuthenticationTest {

    @Test
    void authUserPassSignsIn() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection client = new RawConnection(pair.proxyPort())) {
            assertEquals("+OK\r\n", client.call("AUTH", "alice", Fixtures.ALICE_PASS));
            assertEquals("+OK\r\n", client.call("SET", "app:k", "v"));
            assertEquals("$1\r\nv\r\n", client.call("GET", "app:k"));
        }
    }

    @Test
    void authPasswordOnlySignsInAsDefault() throws Exception {
        String yaml = """
                users:
                  default:
                    acl: "on #%s ~* +@all"
                """.formatted(TestPolicies.hash(Fixtures.DEFAULT_PASS));
        try (ProxiedRedis pair = Fixtures.start(TestPolicies.parse(yaml));
             RawConnection client = new RawConnection(pair.proxyPort())) {
            assertEquals(NOAUTH, client.call("PING"));
            assertEquals(WRONGPASS, client.call("AUTH", "not-the-password"));
            assertEquals(NOAUTH, client.call("PING"));
            assertEquals("+OK\r\n", client.call("AUTH", Fixtures.DEFAULT_PASS));
            assertEquals("+PONG\r\n", client.call("PING"));
        }
    }

    @Test
    void helloThreeAuthGivesMapThenResp3Replies() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection client = new RawConnection(pair.proxyPort())) {
            String hello = client.call("HELLO", "3", "AUTH", "alice", Fixtures.ALICE_PASS);
            assertTrue(hello.startsWith("%"), hello);
            assertTrue(hello.contains("$5\r\nproto\r\n:3\r\n"), hello);
            assertEquals(":1\r\n", client.call("HSET", "app:h", "f", "v"));
            assertEquals("%1\r\n$1\r\nf\r\n$1\r\nv\r\n", client.call("HGETALL", "app:h"), "RESP3 map reply");
            assertEquals("_\r\n", client.call("GET", "app:missing"), "RESP3 null");
        }
    }

    @Test
    void helloAuthWithWrongPasswordIsRefused() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection client = new RawConnection(pair.proxyPort())) {
            assertEquals(WRONGPASS, client.call("HELLO", "3", "AUTH", "alice", "nope"));
            assertEquals(NOAUTH, client.call("GET", "app:k"));
        }
    }

    @Test
    void wrongPasswordAndUnknownUserGetWrongpass() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection client = new RawConnection(pair.proxyPort())) {
            assertEquals(WRONGPASS, client.call("AUTH", "alice", "wrong"));
            assertEquals(WRONGPASS, client.call("AUTH", "nobody", Fixtures.ALICE_PASS));
            assertEquals(WRONGPASS, client.call("AUTH", "alice", Fixtures.BOB_PASS), "another user's password");
            assertEquals(NOAUTH, client.call("PING"));
        }
    }

    @Test
    void disabledUserIsRefusedEvenWithItsPassword() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection client = new RawConnection(pair.proxyPort())) {
            assertEquals(WRONGPASS, client.call("AUTH", "carol", Fixtures.CAROL_PASS));
            assertEquals(WRONGPASS, client.call("HELLO", "3", "AUTH", "carol", Fixtures.CAROL_PASS));
            assertEquals(NOAUTH, client.call("PING"));
        }
    }

    @Test
    void failedAuthKeepsAnEarlierSignIn() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection client = Fixtures.signedIn(pair, "alice", Fixtures.ALICE_PASS)) {
            assertEquals(WRONGPASS, client.call("AUTH", "bob", "wrong"));
            assertEquals(Fixtures.KEYS_NOPERM, client.call("GET", "other"), "still alice, not bob");
            assertEquals("+OK\r\n", client.call("SET", "app:x", "1"));
        }
    }

    @Test
    void resetSignsOut() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection client = Fixtures.signedIn(pair, "bob", Fixtures.BOB_PASS)) {
            assertEquals("+PONG\r\n", client.call("PING"));
            assertEquals("+RESET\r\n", client.call("RESET"));
            assertEquals(NOAUTH, client.call("PING"));
            assertEquals(NOAUTH, client.call("GET", "k"));
        }
    }

    @Test
    void authNeverReachesRedis() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection monitor = new RawConnection(pair.redisPort(), 5_000);
             RawConnection direct = new RawConnection(pair.redisPort())) {
            assertEquals("+OK\r\n", monitor.call("MONITOR"));
            try (RawConnection a = new RawConnection(pair.proxyPort());
                 RawConnection b = new RawConnection(pair.proxyPort())) {
                assertEquals("+OK\r\n", a.call("AUTH", "alice", Fixtures.ALICE_PASS));
                assertEquals(WRONGPASS, a.call("AUTH", "bob", "a-wrong-password"));
                assertEquals("+OK\r\n", a.call("SET", "app:first", "1"));
                String hello = b.call("HELLO", "3", "AUTH", "bob", Fixtures.BOB_PASS);
                assertTrue(hello.startsWith("%"), hello);
                assertEquals("+OK\r\n", b.call("SET", "app:marker", "done"));
                // CLIENT LIST on Redis while both are connected: no password anywhere
                String clientList = direct.call("CLIENT", "LIST");
                assertFalse(clientList.contains(Fixtures.ALICE_PASS), clientList);
                assertFalse(clientList.contains(Fixtures.BOB_PASS), clientList);
            }
            List<String> seen = new ArrayList<>();
            while (true) {
                String line;
                try {
                    line = monitor.readReply();
                } catch (IOException e) {
                    throw new AssertionError("MONITOR never showed the marker SET; saw " + seen, e);
                }
                seen.add(line);
                if (line.contains("\"app:marker\"")) {
                    break;
                }
            }
            String all = String.join("\n", seen);
            assertFalse(all.toUpperCase().contains("\"AUTH\""), all);
            assertFalse(all.contains(Fixtures.ALICE_PASS), all);
            assertFalse(all.contains(Fixtures.BOB_PASS), all);
            assertFalse(all.contains("a-wrong-password"), all);
            String stats = direct.call("INFO", "commandstats");
            assertNull(infoField(stats, "cmdstat_auth"), stats);
            assertTrue(infoField(direct.call("INFO", "stats"), "acl_access_denied_auth") == null
                    || "0".equals(infoField(direct.call("INFO", "stats"), "acl_access_denied_auth")));
        }
    }
}
