package io.respgate.policy.acl;

import io.respgate.codec.CommandFrame;
import io.respgate.codec.testing.RedisProcess;
import io.respgate.policy.command.CommandSpec;
import io.respgate.policy.command.CommandTable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The client-facing denial texts, compared with what redis-server sends a restricted user. */
class AclDenialsTest {
    private static final String RULES = "on ~a &news +get +publish +config -config|set";

    @Test
    void messagesAreRedisOwn() throws Exception {
        Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server not on PATH");
        CommandTable table = CommandTable.redis70();
        CompiledAcl acl = AclRules.parse(RULES, table).compile();
        List<List<String>> commands = List.of(
                List.of("CONFIG", "SET", "maxmemory", "0"),
                List.of("GET", "b"),
                List.of("PUBLISH", "sport", "m"),
                List.of("SET", "a", "v"));
        try (RedisProcess redis = RedisProcess.start();
             RespTestClient client = new RespTestClient(redis.connect(10_000))) {
            List<String> setuser = new java.util.ArrayList<>(List.of("ACL", "SETUSER", "app", ">test-only-secret"));
            setuser.addAll(List.of(RULES.split(" ")));
            assertEquals("OK", client.call(setuser.toArray(new String[0])));
            assertEquals("OK", client.call("AUTH", "app", "test-only-secret"));
            for (List<String> argv : commands) {
                Object reply = client.call(argv.toArray(new String[0]));
                CommandFrame frame = AclDifferentialTest.frame(argv);
                try {
                    CommandSpec spec = table.lookup(frame);
                    AclVerdict verdict = acl.check(spec, frame);
                    assertFalse(verdict.allowed(), argv.toString());
                    assertEquals(reply.toString(), "-" + AclDenials.message(verdict, spec), argv.toString());
                } finally {
                    frame.release();
                }
            }
        }
    }
}
