package io.respgate.proxy.policy;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.respgate.proxy.testing.RawConnection.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user limited to some databases cannot use db 0 just because every connection starts there. */
@Timeout(30)
class DatabaseRestrictionTest {
    private static final String NOT_DB0 = "-NOPERM this user may not use database 0; SELECT an allowed database first\r\n";

    /** A policy whose user {@code tenant} (password {@code tenant-pw}) may use {@code databases} only. */
    private static io.respgate.policy.PolicySnapshot tenantOf(String databases) {
        return TestPolicies.parse("""
                users:
                  default:
                    acl: "off"
                  tenant:
                    acl: "on #%s ~* +@all"
                    databases: %s
                """.formatted(TestPolicies.hash("tenant-pw"), databases));
    }

    @Test
    void aUserOfDatabaseOneMustSelectItBeforeAnythingElse() throws Exception {
        try (ProxiedRedis pair = Fixtures.start(tenantOf("[1]"));
             RawConnection client = new RawConnection(pair.proxyPort());
             RawConnection direct = new RawConnection(pair.redisPort())) {
            direct.call("SET", "zero", "secret");
            assertEquals("+OK\r\n", client.call("AUTH", "tenant", "tenant-pw"));
            assertEquals(NOT_DB0, client.call("GET", "zero"));
            assertEquals("+PONG\r\n", client.call("PING"));
            assertTrue(client.call("SELECT", "0").startsWith("-NOPERM"), "db 0 is not the user's");
            assertTrue(client.call("SELECT", "2").startsWith("-NOPERM"));
            assertEquals("+OK\r\n", client.call("SELECT", "1"));
            assertEquals("$-1\r\n", client.call("GET", "zero"), "db 1 has no such key");
            assertEquals("+OK\r\n", client.call("SET", "one", "v"));
            direct.call("SELECT", "1");
            assertEquals("$1\r\nv\r\n", direct.call("GET", "one"));

            // RESET goes back to db 0, which the user may not use; and a pipelined SELECT takes
            // effect only once Redis confirms it.
            client.send(multibulk("RESET") + multibulk("AUTH", "tenant", "tenant-pw") + multibulk("GET", "zero")
                    + multibulk("SELECT", "1") + multibulk("GET", "one"));
            assertEquals("+RESET\r\n", client.readReply());
            assertEquals("+OK\r\n", client.readReply());
            assertEquals(NOT_DB0, client.readReply());
            assertEquals("+OK\r\n", client.readReply());
            assertEquals(NOT_DB0, client.readReply(), "the SELECT before it was not yet confirmed when GET was decided");
        }
    }

    /**
     * With CLIENT REPLY off or SKIP, no reply says whether Redis accepted a SELECT (one of a database
     * the user may use but Redis does not have, past its {@code databases}, leaves the connection where
     * it was), so for a user limited to some databases RespGate takes the database for unknown until a
     * SELECT it sees answered.
     */
    @Test
    void aSelectRedisDoesNotAnswerIsNotTakenForDone() throws Exception {
        String unconfirmed = "-NOPERM RespGate cannot tell which database a SELECT sent with CLIENT REPLY off or SKIP"
                + " chose; SELECT an allowed database first\r\n";
        try (ProxiedRedis pair = Fixtures.start(tenantOf("[1, 20]"));
             RawConnection client = new RawConnection(pair.proxyPort());
             RawConnection direct = new RawConnection(pair.redisPort())) {
            direct.call("SELECT", "1");
            direct.call("SET", "one", "v");
            assertEquals("+OK\r\n", client.call("AUTH", "tenant", "tenant-pw"));
            assertEquals("+OK\r\n", client.call("SELECT", "1"));
            client.send(multibulk("CLIENT", "REPLY", "SKIP") + multibulk("SELECT", "20") + multibulk("PING"));
            assertEquals("+PONG\r\n", client.readReply());
            assertEquals(unconfirmed, client.call("GET", "one"), "Redis refused SELECT 20: RespGate cannot know");
            assertEquals("-ERR DB index is out of range\r\n", client.call("SELECT", "20"));
            assertEquals("+OK\r\n", client.call("SELECT", "1"));
            assertEquals("$1\r\nv\r\n", client.call("GET", "one"));

            // Replies off, then on: the SELECT in between is unconfirmed too, and the next one counts.
            client.send(multibulk("CLIENT", "REPLY", "OFF") + multibulk("SELECT", "1") + multibulk("CLIENT", "REPLY", "ON"));
            assertEquals("+OK\r\n", client.readReply());
            assertEquals(unconfirmed, client.call("GET", "one"));
            assertEquals("+OK\r\n", client.call("SELECT", "1"));
            assertEquals("$1\r\nv\r\n", client.call("GET", "one"), "db 1, confirmed");
        }
    }
}
