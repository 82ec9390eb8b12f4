package io.respgate.proxy.policy;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static io.respgate.proxy.policy.Fixtures.EXECABORT;
import static io.respgate.proxy.policy.Fixtures.GUARDRAIL_PREFIX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A denied command stays denied however it is spelled, framed or batched. */
@Timeout(60)
class DeniedCommandBypassTest {

    /** bob has +@all ~*, but FLUSHALL is a default guardrail; dave's own ACL forbids DEL. */
    private static ProxiedRedis start() throws Exception {
        return Fixtures.start(TestPolicies.parse(Fixtures.standardYaml() + """
                  dave:
                    acl: "on #%s ~* +@all -del"
                """.formatted(TestPolicies.hash("dave-pw"))));
    }

    private static void seed(ProxiedRedis pair) throws Exception {
        try (RawConnection direct = new RawConnection(pair.redisPort())) {
            assertEquals("+OK\r\n", direct.call("SET", "precious", "1"));
        }
    }

    private static void assertUntouched(ProxiedRedis pair) throws Exception {
        try (RawConnection direct = new RawConnection(pair.redisPort())) {
            assertEquals("$1\r\n1\r\n", direct.call("GET", "precious"), "Redis's data is untouched");
        }
    }

    private static void assertGuardrail(String reply) {
        assertTrue(reply.startsWith(GUARDRAIL_PREFIX) && reply.toLowerCase().contains("flushall"), reply);
    }

    @Test
    void everyCasingIsDenied() throws Exception {
        try (ProxiedRedis pair = start();
             RawConnection bob = Fixtures.signedIn(pair, "bob", Fixtures.BOB_PASS)) {
            seed(pair);
            for (String name : new String[] {"flushall", "FLUSHALL", "FlUsHaLl", "fLUSHALL", "flushalL"}) {
                assertGuardrail(bob.call(name));
                assertGuardrail(bob.call(name, "ASYNC"));
                assertGuardrail(bob.call(name, "sync"));
            }
            assertUntouched(pair);
        }
    }

    @Test
    void aclDeniedCommandInEveryCasingGetsRedisText() throws Exception {
        try (ProxiedRedis pair = start();
             RawConnection dave = Fixtures.signedIn(pair, "dave", "dave-pw")) {
            seed(pair);
            for (String name : new String[] {"del", "DEL", "DeL", "dEl"}) {
                assertEquals("-NOPERM this user has no permissions to run the 'del' command\r\n",
                        dave.call(name, "precious"));
            }
            dave.send("del precious\r\n");
            assertEquals("-NOPERM this user has no permissions to run the 'del' command\r\n", dave.readReply());
            assertUntouched(pair);
        }
    }

    @Test
    void inlineIsDenied() throws Exception {
        try (ProxiedRedis pair = start();
             RawConnection bob = Fixtures.signedIn(pair, "bob", Fixtures.BOB_PASS)) {
            seed(pair);
            bob.send("FLUSHALL\r\n");
            assertGuardrail(bob.readReply());
            bob.send("flushall\n");
            assertGuardrail(bob.readReply());
            bob.send("  FlUsHaLl   ASYNC  \r\n");
            assertGuardrail(bob.readReply());
            bob.send("\"flushall\"\r\n");
            assertGuardrail(bob.readReply());
            assertEquals("+PONG\r\n", bob.call("PING"));
            assertUntouched(pair);
        }
    }

    @Test
    void splitByteByByteIsDenied() throws Exception {
        try (ProxiedRedis pair = start();
             RawConnection bob = Fixtures.signedIn(pair, "bob", Fixtures.BOB_PASS)) {
            seed(pair);
            for (String framing : new String[] {RawConnection.multibulk("FLUSHALL"), "FLUSHALL\r\n",
                    RawConnection.multibulk("flushall", "ASYNC")}) {
                for (byte b : framing.getBytes(StandardCharsets.ISO_8859_1)) {
                    bob.send(new byte[] {b});
                    Thread.sleep(2);
                }
                assertGuardrail(bob.readReply());
            }
            assertEquals("+PONG\r\n", bob.call("PING"));
            assertUntouched(pair);
        }
    }

    @Test
    void insideMultiTheTransactionAborts() throws Exception {
        try (ProxiedRedis pair = start();
             RawConnection bob = Fixtures.signedIn(pair, "bob", Fixtures.BOB_PASS)) {
            seed(pair);
            assertEquals("+OK\r\n", bob.call("MULTI"));
            assertEquals("+QUEUED\r\n", bob.call("SET", "precious", "2"));
            assertEquals("+QUEUED\r\n", bob.call("SET", "newkey", "x"));
            assertGuardrail(bob.call("FlushAll"));
            assertEquals("+QUEUED\r\n", bob.call("DEL", "precious"));
            assertEquals(EXECABORT, bob.call("EXEC"));
            assertUntouched(pair);
            try (RawConnection direct = new RawConnection(pair.redisPort())) {
                assertEquals("$-1\r\n", direct.call("GET", "newkey"), "nothing queued ran");
            }
            assertEquals("-ERR EXEC without MULTI\r\n", bob.call("EXEC"), "the transaction is over");
            assertEquals("$1\r\n1\r\n", bob.call("GET", "precious"));
        }
    }

    @Test
    void insideMultiAsOnePipeline() throws Exception {
        try (ProxiedRedis pair = start();
             RawConnection bob = Fixtures.signedIn(pair, "bob", Fixtures.BOB_PASS)) {
            seed(pair);
            bob.send(RawConnection.multibulk("MULTI") + RawConnection.multibulk("INCR", "precious")
                    + "flushall\r\n" + RawConnection.multibulk("EXEC"));
            assertEquals("+OK\r\n", bob.readReply());
            assertEquals("+QUEUED\r\n", bob.readReply());
            assertGuardrail(bob.readReply());
            assertEquals(EXECABORT, bob.readReply());
            assertUntouched(pair);
        }
    }

    @Test
    void inPipelineAfterAllowedCommandsIsAnsweredInPlace() throws Exception {
        try (ProxiedRedis pair = start();
             RawConnection bob = Fixtures.signedIn(pair, "bob", Fixtures.BOB_PASS)) {
            seed(pair);
            StringBuilder pipeline = new StringBuilder();
            pipeline.append(RawConnection.multibulk("SET", "a", "1"));
            pipeline.append(RawConnection.multibulk("INCR", "a"));
            pipeline.append(RawConnection.multibulk("FLUSHALL"));
            pipeline.append(RawConnection.multibulk("GET", "a"));
            pipeline.append("fLuShAlL\r\n");
            pipeline.append(RawConnection.multibulk("GET", "precious"));
            bob.send(pipeline.toString());
            assertEquals("+OK\r\n", bob.readReply());
            assertEquals(":2\r\n", bob.readReply());
            assertGuardrail(bob.readReply());
            assertEquals("$1\r\n2\r\n", bob.readReply());
            assertGuardrail(bob.readReply());
            assertEquals("$1\r\n1\r\n", bob.readReply());
            assertUntouched(pair);
        }
    }
}
