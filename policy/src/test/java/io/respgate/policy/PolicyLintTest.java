package io.respgate.policy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.respgate.policy.Policies.sha256;
import static io.respgate.policy.Policies.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyLintTest {
    private static boolean has(List<String> warnings, String part) {
        return warnings.stream().anyMatch(w -> w.contains(part));
    }

    @Test
    void findsTheUsualMistakes() throws Exception {
        String hash = sha256("pw");
        PolicySnapshot s = snapshot(Guardrails.of(List.of("flushall"), List.of()),
                UserSpec.of("default", "on nopass -@all +ping"),
                UserSpec.of("admin", "on #" + hash + " +@all +get allkeys &*"),
                UserSpec.of("odd", "on #" + hash + " -@all -flushall +get %R~** -@dangerous"),
                UserSpec.of("open", "on nopass +get ~x"),
                UserSpec.of("locked", "on +get ~x"),
                new UserSpec("cfg", "on #" + hash + " +config|set", null, List.of(), null, 0,
                        List.of(UserSpec.ArgRuleSpec.deny("config|set", "dir", "*")), List.of()),
                UserSpec.of("lua", "on #" + hash + " +eval ~x"));
        List<String> w = PolicyLint.lint(s);
        assertTrue(has(w, "guardrails.allow: 'flushall'"), w.toString());
        assertTrue(has(w, "user 'admin': acl rule '+get' has no effect"), w.toString());
        assertTrue(has(w, "user 'admin': is allowed every command"), w.toString());
        assertTrue(has(w, "user 'admin': may access every key"), w.toString());
        assertTrue(has(w, "user 'admin': may use every Pub/Sub channel"), w.toString());
        assertTrue(has(w, "user 'odd': acl rule '-flushall' has no effect"), w.toString());
        assertTrue(has(w, "user 'odd': key pattern '%R~**' matches every key"), w.toString());
        assertTrue(has(w, "user 'open': is on and nopass"), w.toString());
        assertTrue(has(w, "user 'locked': is on but has no #<sha256> password"), w.toString());
        assertTrue(has(w, "user 'cfg': deny_args[0] matches only the first parameter"), w.toString());
        assertTrue(has(w, "user 'lua': may run scripts (eval)"), w.toString());
        assertTrue(has(w, "user 'admin': may run scripts"), w.toString());
        assertTrue(w.stream().noneMatch(x -> x.startsWith("user 'default'")), w.toString());
        assertTrue(w.stream().noneMatch(x -> x.contains("'+get' has no effect") && x.contains("'odd'")), w.toString());
    }

    @Test
    void cleanPolicyHasNoWarnings() throws Exception {
        PolicySnapshot s = snapshot(UserSpec.of("default", "off"),
                UserSpec.of("app", "on #" + sha256("pw") + " ~app:* &app:* +@read +@write -@dangerous"));
        assertEquals(List.of(), PolicyLint.lint(s));
    }
}
