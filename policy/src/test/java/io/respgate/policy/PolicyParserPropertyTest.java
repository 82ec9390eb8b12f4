package io.respgate.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respgate.codec.CommandFrame;
import io.respgate.policy.acl.AclRuleException;
import io.respgate.policy.acl.AclRules;
import io.respgate.policy.acl.GlobMatcher;
import io.respgate.policy.command.CommandTable;
import io.respgate.policy.command.Frames;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Properties of the policy parsers over generated and mutated input (jqwik): ACL rule strings (as text
 * and as raw {@code ACL SETUSER} arguments), whole user specs (ACL, databases, networks, scripts,
 * argument rules, certificate names), guardrail entries, CIDR networks, certificate names and globs.
 *
 * <p>Each either succeeds or fails with the project's own exception and a message: {@link AclRuleException}
 * for ACL rules, {@link PolicyException} (with a path) for a user or the guardrails, the documented
 * {@link IllegalArgumentException} for a CIDR or certificate name. Never a {@code NullPointerException},
 * {@code IndexOutOfBoundsException}, {@code ClassCastException} or other surprise, never a hang. A user
 * that compiles is then asked about a few commands, and the decision never comes from the
 * "could not evaluate" safety net.
 */
class PolicyParserPropertyTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final CommandTable TABLE = CommandTable.redis70();

    private static final List<String> ACL_TOKENS = List.of("on", "off", "nopass", "resetpass", "reset", "allkeys",
            "allchannels", "allcommands", "nocommands", "resetkeys", "resetchannels", "skip-sanitize-payload",
            "sanitize-payload", "clearselectors", "~*", "&*", "+@all", "-@all", "~app:*", "~", "%R~a*", "%W~b",
            "%RW~c", "%WR~", "%R", "%", "%X~a", "&news*", "&", "+get", "-set", "+@read", "-@dangerous", "+@",
            "-@", "+@nosuch", "+config|get", "-config|set", "+config|", "+select|0", "+select|", "-select|0",
            "+client|kill", "+client|kill|x", "+|", "-|get", "+", "-", "+nosuch", "#" + "a".repeat(64),
            "#" + "A".repeat(64), "#abc", "!" + "b".repeat(64), "#" + "0".repeat(63) + "g", ">secret", "<secret",
            "(+get ~a*)", "(+get", "~b)", "(", ")", "()", "(~x &y +@all)", "((+get))", "(+get ~a* (", "*", "|", "@",
            "\0", "on\0off", "+get\0x", "~a\0b", "\u00e9", "+GET", "ALLKEYS", "On");

    private static final List<String> CIDRS = List.of("10.0.0.0/8", "192.168.1.0/24", "127.0.0.1", "::1/128", "::1",
            "fe80::/10", "0.0.0.0/0", "::/0", "10.0.0.1/8", "10.0.0.0/33", "::1/129", "/8", "10.0.0.0/", "10.0.0.0/-1",
            "10.0.0.0/08", "10.0.0.0/8/8", "256.1.1.1", "1.2.3", "1.2.3.4.5", "::ffff:1.2.3.4", "::ffff:1.2.3.4/120",
            "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "01.2.3.4", "1.2.3.04", "0x7f.0.0.1",
            " 10.0.0.0/8 ", "10.0.0.0 / 8", "", " ", "10.0.0.0/\u0668", "\u0661.2.3.4");

    private static final List<String> CERTIFICATE_NAMES = List.of("cn:api", "dn:CN=api,O=Example", "dns:API.internal",
            "uri:spiffe://prod/ns/a/sa/b", "cn:", "dn:", "x:y", ":", "cn", "", "CN:a", " dn : CN=a ", "dn:CN=a,,O=b",
            "dn:=", "dn:CN", "dn:CN=\\", "dn:CN=\"a", "dn:CN=#zz", "dn:CN=#0403616263", "dn:2.5.4.3=a",
            "dn:OID.2.5.4.3=a", "dn:CN=a+O=b", "dn:CN=a;O=b", "dn:CN=<x>", "dn:,", "dn:+", "dn:CN=a,", "dn:CN= ",
            "dn:1.2=#", "dn:CN=\\zz", "dn:CN=a\\", "dn:X=1", "dns:", "uri: ");

    private static final List<String> COMMANDS = List.of("keys", "config|set", "config|get", "config", "scan", "get",
            "set", "eval", "client|kill", "nosuch", "", " ", "|", "config|", "|set", "config|set|x", "GET", " get ",
            "object|encoding", "select");

    private static final List<String> GLOBS = List.of("*", "?", "dir", "[abc]", "[a-z]*", "[^x]", "\\*", "\\", "[",
            "[^", "[a-", "[]", "[]]", "a*b*c", "**", "", "*dir*", "[\\]]", "\u00e9*", "\0");

    private static final List<String> GUARDRAILS = List.of("flushall", "flushdb", "@all", "keys", "config|set dir",
            "config|set", "config", "client|kill", "debug", "nosuch", "config|set dir x", "", " ", "\t",
            "CONFIG|SET   DIR", "config|get dir", "cluster", "cluster|info", "cluster|reset", "\0", "shutdown",
            "get x", "@ALL", "config|set\tdir", "monitor", "|", "config|");

    // ---------------------------------------------------------------------------------- properties

    @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED)
    void aclRuleTextParsesOrFailsWithAnAclRuleException(@ForAll("aclTexts") String rules) {
        within(() -> {
            try {
                AclRules parsed = AclRules.parse(rules);
                assertNotNull(parsed.compile());
                assertNoPassword(parsed.source());
            } catch (AclRuleException e) {
                assertMessage(e);
                assertNoPassword(e.getMessage());
            }
            return null;
        });
    }

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
    void aclRuleArgumentsParseOrFailWithAnAclRuleException(@ForAll("aclOps") List<byte[]> ops) {
        within(() -> {
            try {
                assertNotNull(AclRules.parse(ops, TABLE).compile());
            } catch (AclRuleException e) {
                assertMessage(e);
            }
            return null;
        });
    }

    @Property(tries = 250, shrinking = ShrinkingMode.BOUNDED)
    void userSpecsCompileOrFailWithAPolicyException(@ForAll("users") UserSpec spec) {
        within(() -> {
            PolicyUser user;
            try {
                user = PolicyUser.compile(spec, TABLE);
            } catch (PolicyException e) {
                assertMessage(e);
                assertNotNull(e.path());
                assertNoPassword(e.getMessage());
                return null;
            }
            PolicySnapshot snapshot;
            try {
                snapshot = PolicySnapshot.of("fuzz", Instant.EPOCH, Guardrails.defaults(), List.of(user));
            } catch (IllegalArgumentException e) {
                // Documented: a snapshot refuses inconsistent users (the loader reports it with the file name).
                assertMessage(e);
                return null;
            }
            for (String[] command : SAMPLE_COMMANDS) {
                CommandFrame frame = Frames.frame(command);
                try {
                    Decision d = snapshot.decide(snapshot.user(spec.name()), frame);
                    assertFalse("internal-error".equals(d.ruleId()),
                            () -> "evaluation failed for " + Arrays.toString(command) + " under " + spec);
                } finally {
                    frame.release();
                }
            }
            return null;
        });
    }

    @Property(tries = 150, shrinking = ShrinkingMode.BOUNDED)
    void guardrailEntriesBuildOrFailWithAPolicyException(@ForAll("guardrailLists") List<String> allow,
            @ForAll("guardrailLists") List<String> deny) {
        within(() -> {
            try {
                assertNotNull(Guardrails.of(allow, deny, TABLE).entries());
            } catch (PolicyException e) {
                assertMessage(e);
                assertTrue(e.path().startsWith("allow[") || e.path().startsWith("deny["), e.path());
            }
            return null;
        });
    }

    @Property(tries = 500, shrinking = ShrinkingMode.BOUNDED)
    void cidrsParseOrFailWithAnIllegalArgumentException(@ForAll("cidrs") String text) {
        within(() -> {
            try {
                Cidr.parse(text);
            } catch (IllegalArgumentException e) {
                assertEquals(IllegalArgumentException.class, e.getClass());
                assertMessage(e);
            }
            return null;
        });
    }

    @Property(tries = 500, shrinking = ShrinkingMode.BOUNDED)
    void certificateNamesParseOrFailWithAnIllegalArgumentException(@ForAll("certificateNames") String text) {
        within(() -> {
            try {
                CertificateName.parse(text);
            } catch (IllegalArgumentException e) {
                assertEquals(IllegalArgumentException.class, e.getClass());
                assertMessage(e);
            }
            return null;
        });
    }

    /** Argument globs (deny_args, allow_only_args) and ACL key globs match any subject without failing. */
    @Property(tries = 500, shrinking = ShrinkingMode.BOUNDED)
    void globsMatchAnySubjectWithoutFailing(@ForAll("globs") String pattern, @ForAll("globs") String subject) {
        within(() -> {
            byte[] s = subject.getBytes(StandardCharsets.UTF_8);
            ByteBuf buf = Unpooled.wrappedBuffer(s);
            try {
                new ArgGlob(pattern).matches(buf, 0, s.length);
                new ArgGlob(pattern).matchesAll();
                GlobMatcher.compile(pattern).matches(s);
            } finally {
                buf.release();
            }
            return null;
        });
    }

    // ---------------------------------------------------------------------------------- generators

    private static final List<String[]> SAMPLE_COMMANDS = List.of(
            new String[] {"GET", "a"}, new String[] {"SET", "app:1", "v"}, new String[] {"CONFIG", "SET", "dir", "/tmp"},
            new String[] {"CONFIG", "GET", "maxmemory"}, new String[] {"KEYS", "*"}, new String[] {"SCAN", "0", "COUNT",
                "5000"}, new String[] {"SELECT", "3"}, new String[] {"EVALSHA", "a".repeat(40), "0"},
            new String[] {"FCALL", "f", "0"}, new String[] {"CLIENT", "KILL", "ID", "1"}, new String[] {"PUBLISH", "news",
                "x"}, new String[] {"SORT", "k", "BY", "w*"}, new String[] {"MIGRATE", "h", "1", "", "0", "5", "KEYS", "a"},
            new String[] {"NOSUCH"}, new String[] {"OBJECT", "ENCODING", "k"});

    @Provide
    Arbitrary<String> aclTexts() {
        Arbitrary<String> token = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.of(ACL_TOKENS)),
                Tuple.of(2, Arbitraries.strings().ofMaxLength(12)),
                Tuple.of(1, Arbitraries.strings().withChars("+-~%&@|()#!<>RWrw*?[]\\ \0").ofMaxLength(8)));
        Arbitrary<String> separator = Arbitraries.of(" ", " ", " ", "  ", "\t", "\n", "\r\n", "\u000b", "\u00a0");
        return Combinators.combine(token.list().ofMaxSize(10), separator.list().ofMinSize(10).ofMaxSize(10),
                        mutations())
                .as((tokens, seps, mutations) -> {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < tokens.size(); i++) {
                        if (i > 0) {
                            sb.append(seps.get(i % seps.size()));
                        }
                        sb.append(tokens.get(i));
                    }
                    return mutate(sb.toString(), mutations);
                });
    }

    @Provide
    Arbitrary<List<byte[]>> aclOps() {
        Arbitrary<byte[]> op = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(ACL_TOKENS).map(s -> s.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(12)),
                Tuple.of(2, Arbitraries.of(ACL_TOKENS).map(s -> "(" + s + " " + s + ")")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8))));
        return op.list().ofMaxSize(10);
    }

    @Provide
    Arbitrary<UserSpec> users() {
        Arbitrary<String> name = Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.of("default", "app", "ops")),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(6)));
        Arbitrary<List<Integer>> databases = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.integers().between(-2, 20).list().ofMaxSize(3)),
                Tuple.of(1, Arbitraries.of(Integer.MAX_VALUE, Integer.MIN_VALUE, 0).list().ofMaxSize(2)))
                .injectNull(0.5);
        Arbitrary<List<String>> networks = fuzzed(CIDRS).list().ofMaxSize(3);
        Arbitrary<UserSpec.Scripts> scripts = Combinators.combine(
                        fuzzed(List.of("a".repeat(40), "A".repeat(40), "a".repeat(39), "g".repeat(40), "")).list()
                                .ofMaxSize(2),
                        fuzzed(List.of("f", "my_func", "f-1", "", "F")).list().ofMaxSize(2))
                .as(UserSpec.Scripts::new).injectNull(0.7);
        Arbitrary<Integer> maxConnections = Arbitraries.of(0, 1, 50, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
        Arbitrary<List<UserSpec.ArgRuleSpec>> argRules = argRule().list().ofMaxSize(3);
        Arbitrary<List<String>> certificates = fuzzed(CERTIFICATE_NAMES).list().ofMaxSize(2);
        Arbitrary<UserSpec> partial = Combinators.combine(name, aclTexts(), databases, networks, scripts,
                maxConnections, argRules, argRules)
                .as((n, acl, dbs, nets, sc, max, deny, allowOnly) ->
                        new UserSpec(n, acl, dbs, nets, sc, max, deny, allowOnly));
        return Combinators.combine(partial, certificates, Arbitraries.of(true, false))
                .as((u, certs, shadow) -> new UserSpec(u.name(), u.acl(), u.databases(), u.sourceNetworks(),
                        u.scripts(), u.maxConnections(), u.denyArgs(), u.allowOnlyArgs(), certs, shadow));
    }

    private Arbitrary<UserSpec.ArgRuleSpec> argRule() {
        Arbitrary<String> option = Arbitraries.of("COUNT", "count", "", " ", "a b", "MATCH", "\t").injectNull(0.7);
        Arbitrary<Long> max = Arbitraries.of(0L, 1000L, -1L, Long.MAX_VALUE, Long.MIN_VALUE).injectNull(0.7);
        return Combinators.combine(fuzzed(COMMANDS), fuzzed(GLOBS).list().ofMaxSize(3), Arbitraries.of(true, false),
                option, max).as(UserSpec.ArgRuleSpec::new);
    }

    @Provide
    Arbitrary<List<String>> guardrailLists() {
        return fuzzed(GUARDRAILS).injectNull(0.1).list().ofMaxSize(3);
    }

    @Provide
    Arbitrary<String> cidrs() {
        return fuzzed(CIDRS);
    }

    @Provide
    Arbitrary<String> certificateNames() {
        return fuzzed(CERTIFICATE_NAMES);
    }

    @Provide
    Arbitrary<String> globs() {
        return Arbitraries.frequencyOf(Tuple.of(3, fuzzed(GLOBS)),
                Tuple.of(2, Arbitraries.strings().withChars("*?[]^-\\ab\u00e9").ofMaxLength(24)));
    }

    /** A value from {@code seeds}, often mutated character by character, or a random string. */
    private static Arbitrary<String> fuzzed(List<String> seeds) {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.of(seeds)),
                Tuple.of(4, Combinators.combine(Arbitraries.of(seeds), mutations()).as(PolicyParserPropertyTest::mutate)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(16)));
    }

    /** Character mutations as (position, character) pairs: insert, replace or delete. */
    private static Arbitrary<List<Tuple.Tuple3<Integer, Integer, Character>>> mutations() {
        Arbitrary<Character> special = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of('\0', ' ', '\t', '\n', '/', '.', ':', '|', '%', '=', ',', '+', '\\', '"',
                        '#', '[', ']', '(', ')', '-', '*', '~', '@', '9', '0', 'f', '\u00e9', '\u0668', '\uffff')),
                Tuple.of(1, Arbitraries.chars()));
        return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 1000),
                special).as(Tuple::of).list().ofMaxSize(3);
    }

    private static String mutate(String s, List<Tuple.Tuple3<Integer, Integer, Character>> mutations) {
        StringBuilder sb = new StringBuilder(s);
        for (Tuple.Tuple3<Integer, Integer, Character> m : mutations) {
            int at = m.get2() % (sb.length() + 1);
            switch (m.get1()) {
                case 0 -> sb.insert(at, m.get3().charValue());
                case 1 -> {
                    if (at < sb.length()) {
                        sb.setCharAt(at, m.get3());
                    }
                }
                default -> {
                    if (at < sb.length()) {
                        sb.deleteCharAt(at);
                    }
                }
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------- helpers

    /** The generated plaintext passwords are {@code >secret} and {@code <secret}, possibly mutated. */
    private static void assertNoPassword(String text) {
        assertFalse(text.contains(">secret") || text.contains("<secret") || text.contains(">ecret")
                || text.contains("<ecret"), () -> "a plaintext password in: " + text);
    }

    private static void assertMessage(Exception e) {
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), () -> "no message: " + e);
    }

    private static void assertEquals(Object expected, Object actual) {
        if (!expected.equals(actual)) {
            fail("expected " + expected + " but got " + actual);
        }
    }

    private static void within(Supplier<Void> body) {
        try {
            assertTimeoutPreemptively(TIMEOUT, body::get, "the parser did not return (a loop?)");
        } catch (RuntimeException e) {
            throw new AssertionError("unexpected exception " + e, e);
        }
    }
}
