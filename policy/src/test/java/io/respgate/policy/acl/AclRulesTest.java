package io.respgate.policy.acl;

import io.respgate.codec.CommandFrame;
import io.respgate.policy.command.CommandSpec;
import io.respgate.policy.command.CommandTable;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AclRulesTest {
    private static final CommandTable TABLE = CommandTable.redis70();

    private static AclVerdict check(String rules, String... argv) {
        CompiledAcl acl = AclRules.parse(rules, TABLE).compile();
        CommandFrame frame = AclDifferentialTest.frame(List.of(argv));
        try {
            CommandSpec spec = TABLE.lookup(frame);
            return acl.check(spec, frame);
        } finally {
            frame.release();
        }
    }

    @Test
    void plaintextPasswordsAreRefusedWithoutEchoingThem() {
        for (String rules : new String[] {"on >hunter2 ~*", "on <hunter2", "on (+get >hunter2)"}) {
            AclRuleException e = assertThrows(AclRuleException.class, () -> AclRules.parse(rules, TABLE));
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
        AclRuleException e = assertThrows(AclRuleException.class, () -> AclRules.parse("on >hunter2", TABLE));
        assertTrue(e.getMessage().contains("plaintext passwords are not accepted in policy files; use #<sha256>"));
    }

    @Test
    void errorsNameTheRuleWithRedisReason() {
        assertEquals("Error in ACL rule '+nosuch': Unknown command or category name in ACL",
                assertThrows(AclRuleException.class, () -> AclRules.parse("+nosuch", TABLE)).getMessage());
        assertEquals("Error in ACL rule '+config|get|x': Allowing first-arg of a subcommand is not supported",
                assertThrows(AclRuleException.class, () -> AclRules.parse("+config|get|x", TABLE)).getMessage());
        assertThrows(AclRuleException.class, () -> AclRules.parse("-select|0", TABLE));
        assertThrows(AclRuleException.class, () -> AclRules.parse("allkeys ~x", TABLE));
        assertThrows(AclRuleException.class, () -> AclRules.parse("%~x", TABLE));
        assertThrows(AclRuleException.class, () -> AclRules.parse("#ABC", TABLE));
        assertThrows(AclRuleException.class, () -> AclRules.parse("(+get ~a", TABLE));
    }

    @Test
    void parsesPasswordHashesAndFlags() {
        String hash = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";
        AclRules r = AclRules.parse("on #" + hash + " ~app:* &app:* +@all -@dangerous", TABLE);
        assertTrue(r.enabled());
        assertEquals(List.of(hash), r.passwordHashes());
        assertFalse(r.nopass());
        assertTrue(AclRules.parse("nopass", TABLE).nopass());
        assertTrue(AclRules.parse("#" + hash + " !" + hash, TABLE).passwordHashes().isEmpty());
    }

    @Test
    void redisSemantics() {
        assertTrue(check("+@all -config|set ~*", "CONFIG", "GET", "x").allowed());
        assertEquals(AclVerdict.Kind.COMMAND, check("+@all -config|set ~*", "CONFIG", "SET", "x", "y").kind());
        assertTrue(check("-config +config|get", "CONFIG", "GET", "x").allowed());
        assertTrue(check("+select|0", "SELECT", "0").allowed());
        assertFalse(check("+select|0", "SELECT", "1").allowed());
        assertTrue(check("nocommands", "AUTH", "u", "p").allowed(), "no_auth commands skip the command check");
        assertFalse(check("+get %R~*", "GET", "").allowed(), "'*' does not match the empty key");
        assertTrue(check("+get ~*", "GET", "").allowed(), "~* is allkeys");
        assertEquals(AclVerdict.Kind.KEY, check("+set %R~a", "SET", "a", "v").kind());
        assertTrue(check("+set %W~a", "SET", "a", "v").allowed());
        assertTrue(check("+lmove %R~src %W~dst", "LMOVE", "src", "dst", "LEFT", "RIGHT").allowed() == false,
                "LMOVE's source is RW access|delete: it needs both permissions");
        assertTrue(check("+psubscribe &news*", "PSUBSCRIBE", "news*").allowed());
        assertFalse(check("+psubscribe &news*", "PSUBSCRIBE", "news1").allowed(), "patterns compare literally");
        assertTrue(check("+unsubscribe", "UNSUBSCRIBE", "anything").allowed());
        assertTrue(check("+get ~a (+set ~b)", "SET", "b", "v").allowed());
        assertFalse(check("+get ~a (+set ~b)", "SET", "a", "v").allowed());
        assertTrue(check("(+get ~a) clearselectors +get ~b", "GET", "b").allowed());
        assertFalse(check("(+get ~a) clearselectors", "GET", "a").allowed());
        assertEquals(AclVerdict.Kind.COMMAND, check("+config", "CONFIG", "NOSUCH").kind(),
                "a container without a known subcommand is denied");
        assertTrue(check("+@all", "COMMAND").allowed(), "COMMAND alone is a command of its own (the list of all)");
        assertTrue(check("+command", "COMMAND").allowed());
        assertTrue(check("+@connection", "COMMAND").allowed());
        assertEquals(AclVerdict.Kind.COMMAND, check("+command|info", "COMMAND").kind(),
                "a subcommand's permission is not the container's");
        assertEquals(AclVerdict.Kind.COMMAND, check("+@all -command", "COMMAND").kind());
    }

    @Test
    void selectorMergingQuirkOfRedis() {
        // ACLMergeSelectorArguments restarts on a second "(" word: "(+get" is dropped.
        assertFalse(check("(+get (~foo ~bar)", "GET", "foo").allowed());
        assertTrue(check("(~\"\\x61\" +get)", "GET", "a").allowed(), "selector bodies are split like sdssplitargs");
    }

    @Test
    void allowingAllocatesNothing() {
        CompiledAcl acl = AclRules.parse("+@all -@dangerous ~cache:* %R~ro:* ~user:[0-9]* &news*", TABLE).compile();
        CommandFrame get = AclDifferentialTest.frame(List.of("GET", "user:42"));
        CommandFrame mset = AclDifferentialTest.frame(List.of("MSET", "cache:1", "v", "cache:2", "v"));
        try {
            CommandSpec getSpec = TABLE.lookup(get);
            CommandSpec msetSpec = TABLE.lookup(mset);
            com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            for (int i = 0; i < 200_000; i++) {
                acl.check(getSpec, get);
                acl.check(msetSpec, mset);
            }
            long before = bean.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 100_000; i++) {
                assertSame(AclVerdict.ALLOWED, acl.check(getSpec, get));
                assertSame(AclVerdict.ALLOWED, acl.check(msetSpec, mset));
            }
            long allocated = bean.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            // One object per check would be >= 3.2 MB; what remains is JIT and bean noise.
            assertTrue(allocated < 100_000, "allocated " + allocated + " bytes for 200k allowed checks");
        } finally {
            get.release();
            mset.release();
        }
    }
}
