package io.respgate.proxy.policy;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.respgate.proxy.policy.Fixtures.NOAUTH;
import static io.respgate.proxy.policy.Fixtures.clientListLines;
import static io.respgate.proxy.policy.Fixtures.connectedClients;
import static io.respgate.proxy.policy.Fixtures.infoField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Before AUTH nothing but AUTH/HELLO/QUIT/RESET runs, and nothing reaches Redis. */
@Timeout(60)
class PreAuthTest {

    private static final String[][] COMMANDS = {
            {"PING"}, {"GET", "app:k"}, {"SET", "app:k", "v"}, {"FLUSHALL"}, {"SELECT", "1"},
            {"CLIENT", "LIST"}, {"INFO"}, {"MULTI"}, {"EXEC"}, {"SUBSCRIBE", "ch"}, {"EVAL", "return 1", "0"},
            {"NOSUCHCOMMAND", "x"}, {"CONFIG", "SET", "dir", "/tmp"}, {"ACL", "WHOAMI"}, {"ECHO", "hi"},
    };

    /** Redis turns any refusal of EXEC into EXECABORT, NOAUTH included. */
    private static String noauthFor(String[] command) {
        return command[0].equals("EXEC") ? "-EXECABORT Transaction discarded because of: " + NOAUTH.substring(1) : NOAUTH;
    }

    @Test
    void everyCommandBeforeAuthGetsNoauthAndOpensNoUpstream() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection direct = new RawConnection(pair.redisPort())) {
            int clientsBefore = connectedClients(direct);
            int listBefore = clientListLines(direct);
            try (RawConnection client = new RawConnection(pair.proxyPort())) {
                for (String[] command : COMMANDS) {
                    assertEquals(noauthFor(command), client.call(command), String.join(" ", command));
                }
                assertEquals("+RESET\r\n", client.call("RESET"));
                assertEquals(NOAUTH, client.call("PING"), "still signed out after RESET");
                assertEquals(clientsBefore, connectedClients(direct), "no upstream connection was opened");
                assertEquals(listBefore, clientListLines(direct));
                assertEquals("$-1\r\n", direct.call("GET", "app:k"), "the SET never reached Redis");
                assertNull(infoField(direct.call("INFO", "commandstats"), "cmdstat_set"));
            }
        }
    }

    @Test
    void pipelineBeforeAuthIsAnsweredInPlaceWithNoauth() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection direct = new RawConnection(pair.redisPort())) {
            direct.call("SET", "app:keep", "1");
            int clientsBefore = connectedClients(direct);
            try (RawConnection client = new RawConnection(pair.proxyPort())) {
                StringBuilder pipeline = new StringBuilder();
                for (String[] command : COMMANDS) {
                    pipeline.append(RawConnection.multibulk(command));
                }
                pipeline.append("FLUSHALL\r\n"); // inline too
                pipeline.append(RawConnection.multibulk("DEL", "app:keep"));
                client.send(pipeline.toString());
                for (int i = 0; i < COMMANDS.length + 2; i++) {
                    assertEquals(i < COMMANDS.length ? noauthFor(COMMANDS[i]) : NOAUTH, client.readReply(), "reply " + i);
                }
                assertEquals("+OK\r\n", client.call("AUTH", "bob", Fixtures.BOB_PASS));
                assertEquals("$1\r\n1\r\n", client.call("GET", "app:keep"), "nothing before AUTH ran");
            }
            assertTrue(connectedClients(direct) >= clientsBefore);
        }
    }

    @Test
    void helloWithoutAuthIsRefusedBeforeSignIn() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection direct = new RawConnection(pair.redisPort())) {
            int clientsBefore = connectedClients(direct);
            try (RawConnection client = new RawConnection(pair.proxyPort())) {
                String reply = client.call("HELLO", "3");
                assertTrue(reply.startsWith("-NOAUTH HELLO must be called with the client already authenticated"), reply);
                assertEquals(clientsBefore, connectedClients(direct));
                assertEquals("+OK\r\n", client.call("QUIT"));
                assertTrue(client.closedByPeer());
            }
        }
    }
}
