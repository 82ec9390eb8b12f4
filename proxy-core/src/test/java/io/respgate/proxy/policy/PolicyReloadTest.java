package io.respgate.proxy.policy;

import io.respgate.policy.PolicySnapshot;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.respgate.proxy.policy.Fixtures.NOAUTH;
import static io.respgate.proxy.policy.Fixtures.WRONGPASS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A new policy takes effect on open connections: removed users are cut off, others re-judged. */
@Timeout(60)
class PolicyReloadTest {

    /** bob is gone; alice may no longer GET; carol is now on. */
    private static PolicySnapshot reloaded() {
        return TestPolicies.parse("""
                users:
                  default:
                    acl: "off"
                  alice:
                    acl: "on #%s ~app:* &* +@all -get"
                  carol:
                    acl: "on #%s ~* &* +@all"
                """.formatted(TestPolicies.hash(Fixtures.ALICE_PASS), TestPolicies.hash(Fixtures.CAROL_PASS)));
    }

    @Test
    void removedUsersConnectionClosesOthersAreJudgedByNewRules() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection alice = Fixtures.signedIn(pair, "alice", Fixtures.ALICE_PASS);
             RawConnection bob = Fixtures.signedIn(pair, "bob", Fixtures.BOB_PASS)) {
            assertEquals("+OK\r\n", alice.call("SET", "app:k", "v"));
            assertEquals("$1\r\nv\r\n", alice.call("GET", "app:k"));
            assertEquals("+OK\r\n", bob.call("SET", "b", "1"));

            pair.proxy().applyPolicy(reloaded());

            assertTrue(bob.closedByPeer(), "bob was removed: his connection is closed");
            assertEquals("-NOPERM this user has no permissions to run the 'get' command\r\n",
                    alice.call("GET", "app:k"), "alice is judged by the new rules");
            assertEquals("+OK\r\n", alice.call("SET", "app:k", "w"), "and may still do what they allow");
            alice.setReadTimeout(500);
            assertFalse(alice.closedByPeer(), "alice's connection stays open");
        }
    }

    @Test
    void removedUsersPipelinedCommandAfterReloadDoesNotRun() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection bob = Fixtures.signedIn(pair, "bob", Fixtures.BOB_PASS)) {
            pair.proxy().applyPolicy(reloaded());
            try {
                bob.send(RawConnection.multibulk("SET", "after-removal", "1"));
            } catch (java.io.IOException closed) {
                // already closed: fine
            }
            Thread.sleep(200);
            try (RawConnection direct = new RawConnection(pair.redisPort())) {
                assertEquals("$-1\r\n", direct.call("GET", "after-removal"));
            }
        }
    }

    @Test
    void authAsJustRemovedUserIsWrongpass() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection openedBefore = new RawConnection(pair.proxyPort())) {
            assertEquals(NOAUTH, openedBefore.call("PING"));
            pair.proxy().applyPolicy(reloaded());
            assertEquals(WRONGPASS, openedBefore.call("AUTH", "bob", Fixtures.BOB_PASS));
            assertEquals(WRONGPASS, openedBefore.call("HELLO", "3", "AUTH", "bob", Fixtures.BOB_PASS));
            try (RawConnection fresh = new RawConnection(pair.proxyPort())) {
                assertEquals(WRONGPASS, fresh.call("AUTH", "bob", Fixtures.BOB_PASS));
                assertEquals(NOAUTH, fresh.call("GET", "b"));
                assertEquals("+OK\r\n", fresh.call("AUTH", "carol", Fixtures.CAROL_PASS), "carol was enabled");
            }
        }
    }

    @Test
    void userDisabledByReloadIsCutOff() throws Exception {
        PolicySnapshot aliceOff = TestPolicies.parse(Fixtures.standardYaml()
                .replace("acl: \"on #" + TestPolicies.hash(Fixtures.ALICE_PASS),
                        "acl: \"off #" + TestPolicies.hash(Fixtures.ALICE_PASS)));
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection alice = Fixtures.signedIn(pair, "alice", Fixtures.ALICE_PASS);
             RawConnection bob = Fixtures.signedIn(pair, "bob", Fixtures.BOB_PASS)) {
            pair.proxy().applyPolicy(aliceOff);
            assertTrue(alice.closedByPeer());
            assertEquals("+PONG\r\n", bob.call("PING"));
            try (RawConnection again = new RawConnection(pair.proxyPort())) {
                assertEquals(WRONGPASS, again.call("AUTH", "alice", Fixtures.ALICE_PASS));
            }
        }
    }
}
