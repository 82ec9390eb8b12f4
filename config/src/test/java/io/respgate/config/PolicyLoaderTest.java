package io.respgate.config;

import io.netty.buffer.Unpooled;
import io.respgate.codec.CommandFrame;
import io.respgate.policy.CertificateIdentity;
import io.respgate.policy.CertificateName;
import io.respgate.policy.Decision;
import io.respgate.policy.PasswordHashing;
import io.respgate.policy.PolicyLint;
import io.respgate.policy.PolicySnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyLoaderTest {
    private static final String SRC = "policy.yaml";
    private static final String HASH = PasswordHashing.sha256Hex("app-password".getBytes(StandardCharsets.UTF_8));
    /** The issue's example, with a real hash in place of the placeholder. */
    static final String ISSUE_EXAMPLE = """
            guardrails:
              allow: []        # entries lifted from the default guardrails: "flushall",
                               # "config|set", ...; "@all" lifts them all (for test setups)
            users:
              default:
                acl: "off"
              app:
                acl: "on #HASH ~app:* &app:* +@all -@dangerous"
            """.replace("HASH", HASH);

    @TempDir
    Path tmp;

    static Decision decide(PolicySnapshot s, String user, String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        int[] spans = new int[args.length * 2];
        for (int i = 0; i < args.length; i++) {
            byte[] a = args[i].getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            spans[i * 2] = b.size();
            spans[i * 2 + 1] = a.length;
            b.writeBytes(a);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        CommandFrame frame = new CommandFrame(Unpooled.copiedBuffer(b.toByteArray()), spans, args.length, false);
        try {
            return s.decide(s.user(user), frame);
        } finally {
            frame.release();
        }
    }

    private ConfigException fails(String yaml, String key) {
        ConfigException e = assertThrows(ConfigException.class, () -> PolicyLoader.parse(yaml, SRC));
        assertTrue(e.getMessage().startsWith(SRC + ": " + key + ": "),
                () -> "message should start with file and key '" + key + "': " + e.getMessage());
        return e;
    }

    @Test
    void theIssueExampleWorksAsWritten() throws Exception {
        Path file = tmp.resolve("policy.yaml");
        Files.writeString(file, ISSUE_EXAMPLE);
        PolicySnapshot s = PolicyLoader.load(file);
        assertEquals(Set.of("default", "app"), s.userNames());
        assertEquals(PolicySnapshot.versionOf(Files.readAllBytes(file)), s.version());
        assertEquals(12, s.version().length());
        assertNull(s.openDefaultUser());
        assertFalse(s.user("default").enabled());
        assertTrue(s.user("app").authenticates("app-password".getBytes(StandardCharsets.UTF_8)));
        assertSame(Decision.ALLOW, decide(s, "app", "SET", "app:1", "x"));
        assertEquals("NOPERM this user has no permissions to access one of the keys used as arguments",
                decide(s, "app", "GET", "other").error());
        assertEquals("guardrail:flushall", decide(s, "app", "FLUSHALL").ruleId());
        assertTrue(PolicyLint.lint(s).stream().anyMatch(w -> w.contains("user 'app': starts from +@all")));
    }

    @Test
    void theLiteralPlaceholderIsAClearError() {
        ConfigException e = fails(ISSUE_EXAMPLE.replace(HASH, "<sha256 hex of the password>"), "users.app.acl");
        assertTrue(e.getMessage().contains("user 'app'") && e.getMessage().contains("64"), e.getMessage());
    }

    @Test
    void theFullSchema() throws Exception {
        String sha = PasswordHashing.sha256Hex(new byte[0]).substring(0, 40);
        PolicySnapshot s = PolicyLoader.parse("""
                guardrails:
                  allow: ["config|set dir", FLUSHDB]
                  deny: [keys]
                users:
                  default:
                    acl: "on nopass +ping"
                  app:
                    acl: "on #HASH ~app:* &app:* +@all -@dangerous +config|get +config|set"
                    databases: [0, 1]
                    source_networks: ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]
                    scripts: {sha1: ["SHA"], functions: ["myfunc"]}
                    max_connections: 50
                    deny_args:
                      - command: "config|set"
                        args: ["maxmemory", "*"]
                        anywhere: true
                      - command: "scan"
                        option: COUNT
                        max: 1000
                    allow_only_args:
                      - command: "config|get"
                        args: ["maxmemory", "maxmemory-policy"]
                """.replace("HASH", HASH).replace("SHA", sha), SRC);
        assertSame(s.user("default"), s.openDefaultUser());
        assertEquals(50, s.user("app").maxConnections());
        assertEquals(List.of(0, 1), s.user("app").databases());
        assertEquals("rule:app:deny_args[0]", decide(s, "app", "config", "set", "hz", "1", "maxmemory", "1").ruleId());
        assertEquals("rule:app:deny_args[1]", decide(s, "app", "scan", "0", "count", "5000").ruleId());
        assertEquals("rule:app:allow_only_args[0]", decide(s, "app", "config", "get", "dir").ruleId());
        assertSame(Decision.ALLOW, decide(s, "app", "config", "get", "maxmemory"));
        assertSame(Decision.ALLOW, decide(s, "app", "config", "set", "dir", "/tmp"));
        assertEquals("rule:app:databases", decide(s, "app", "select", "2").ruleId());
        assertEquals("guardrail:keys", decide(s, "app", "keys", "*").ruleId());
        assertEquals(2, s.guardrails().lint().size());
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '"', value = {
            "users: {app: {acl: 'on nopass', colour: red}} => users.app.colour",
            "users: {app: {acl: 'on nopass'}}\\nextra: 1 => extra",
            "users: {} => users",
            "guardrails: {allow: [nosuch]}\\nusers: {a: {acl: 'on nopass'}} => guardrails.allow[0]",
            "guardrails: {deny: [nosuch]}\\nusers: {a: {acl: 'on nopass'}} => guardrails.deny[0]",
            "guardrails: {allow: flushall}\\nusers: {a: {acl: 'on nopass'}} => guardrails.allow",
            "guardrails: {lift: []}\\nusers: {a: {acl: 'on nopass'}} => guardrails.lift",
            "users: {app: {}} => users.app.acl",
            "users: {app: {acl: 3}} => users.app.acl",
            "users: {app: {acl: 'on nopass +nosuch'}} => users.app.acl",
            "users: {app: {acl: 'on nopass', databases: [0, -1]}} => users.app.databases[1]",
            "users: {app: {acl: 'on nopass', databases: []}} => users.app.databases",
            "users: {app: {acl: 'on nopass', databases: 1}} => users.app.databases",
            "users: {app: {acl: 'on nopass', source_networks: [10.0.0.1/8]}} => users.app.source_networks[0]",
            "users: {app: {acl: 'on nopass', source_networks: [bad]}} => users.app.source_networks[0]",
            "users: {app: {acl: 'on nopass', scripts: {sha1: [abc]}}} => users.app.scripts.sha1[0]",
            "users: {app: {acl: 'on nopass', scripts: {shas: []}}} => users.app.scripts.shas",
            "users: {app: {acl: 'on nopass', scripts: {functions: ['a b']}}} => users.app.scripts.functions[0]",
            "users: {app: {acl: 'on nopass', max_connections: -1}} => users.app.max_connections",
            "users: {app: {acl: 'on nopass', max_connections: lots}} => users.app.max_connections",
            "users: {app: {acl: 'on nopass', deny_args: [{args: [x]}]}} => users.app.deny_args[0].command",
            "users: {app: {acl: 'on nopass', deny_args: [{command: nosuch}]}} => users.app.deny_args[0].command",
            "users: {app: {acl: 'on nopass', deny_args: [{command: scan, option: COUNT}]}} => users.app.deny_args[0].max",
            "users: {app: {acl: 'on nopass', deny_args: [{command: scan, max: 3}]}} => users.app.deny_args[0].max",
            "users: {app: {acl: 'on nopass', deny_args: [{command: scan, anywhere: yes}]}} => users.app.deny_args[0].anywhere",
            "users: {app: {acl: 'on nopass', deny_args: [{command: keys, when: x}]}} => users.app.deny_args[0].when",
            "users: {app: {acl: 'on nopass', allow_only_args: [{command: 'config|get'}]}} => users.app.allow_only_args[0].args",
            "users: {app: {acl: 'on nopass', allow_only_args: [{command: 'config|get', args: [x], anywhere: true}]}} => users.app.allow_only_args[0].anywhere",
            "users: {'a b': {acl: 'on nopass'}} => users.a b",
            "users: {1: {acl: 'on nopass'}} => users.1"})
    void badKeysAndValuesNameTheKey(String yaml, String key) {
        fails(yaml.replace("\\n", "\n"), key);
    }

    @Test
    void plaintextPasswordsAreRejectedAndNeverEchoed() {
        for (String acl : List.of("on >hunter2-secret +@all", "on +@all (>hunter2-secret)", "on <hunter2-secret")) {
            ConfigException e = fails("users:\n  app:\n    acl: \"" + acl + "\"\n", "users.app.acl");
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
            assertTrue(e.getMessage().contains("user 'app'"), e.getMessage());
            assertTrue(acl.contains("(") || e.getMessage().contains("plaintext"), e.getMessage());
        }
        ConfigException e = fails("users:\n  app:\n    acl: [hunter2-secret]\n", "users.app.acl");
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void fileProblems() throws Exception {
        ConfigException missing = assertThrows(ConfigException.class, () -> PolicyLoader.load(tmp.resolve("none.yaml")));
        assertTrue(missing.getMessage().endsWith("cannot read the policy file: no such file"), missing.getMessage());
        Path empty = Files.writeString(tmp.resolve("empty.yaml"), "");
        assertTrue(assertThrows(ConfigException.class, () -> PolicyLoader.load(empty)).getMessage()
                .contains("the policy file is empty"));
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), "users: {a: [\n");
        assertTrue(assertThrows(ConfigException.class, () -> PolicyLoader.load(bad)).getMessage()
                .contains("invalid YAML"));
        Path dup = Files.writeString(tmp.resolve("dup.yaml"), "users:\n  a: {acl: 'on nopass'}\n  a: {acl: off}\n");
        assertTrue(assertThrows(ConfigException.class, () -> PolicyLoader.load(dup)).getMessage()
                .contains("invalid YAML"));
    }

    // ---- certificates -------------------------------------------------------------------------

    @Test
    void certificatesMapToTheirUser() throws Exception {
        PolicySnapshot s = PolicyLoader.parse("""
                users:
                  default: {acl: "off"}
                  billing:
                    acl: "on ~billing:* +@all"
                    certificates:
                      - uri:spiffe://prod.example/ns/billing/sa/api
                      - "dns:API.Billing.Internal"
                      - cn:billing-batch
                  ops:
                    acl: "on ~* +@read"
                    certificates: ["dn:CN=ops, O=Example"]
                """, SRC);
        assertTrue(s.mapsCertificates());
        assertEquals(List.of(CertificateName.parse("uri:spiffe://prod.example/ns/billing/sa/api"),
                CertificateName.parse("dns:api.billing.internal"), CertificateName.parse("cn:billing-batch")),
                s.user("billing").certificates());
        assertEquals(List.of(CertificateName.parse("dn:cn=ops,o=example")), s.user("ops").certificates());
        assertEquals(List.of(), s.user("default").certificates());

        CertificateIdentity spiffe = new CertificateIdentity("CN=api", List.of(
                CertificateName.parse("cn:api"), CertificateName.parse("uri:spiffe://prod.example/ns/billing/sa/api")));
        assertSame(s.user("billing"), s.userFor(spiffe).user());
        CertificateIdentity ops = new CertificateIdentity("CN=ops,O=Example",
                List.of(CertificateName.parse("dn:CN=ops,O=Example"), CertificateName.parse("cn:ops")));
        assertSame(s.user("ops"), s.userFor(ops).user());
        assertFalse(PolicyLoader.parse("users: {a: {acl: 'on'}}", SRC).mapsCertificates());
    }

    @Test
    void oneCertificateNameForTwoUsersIsALoadError() {
        ConfigException e = fails("""
                users:
                  a:
                    acl: "on +@all"
                    certificates: [cn:api-client]
                  b:
                    acl: "on +@read"
                    certificates: [dns:b.example, "CN:api-client"]
                """, "users");
        assertTrue(e.getMessage().contains("cn:api-client"), e.getMessage());
        assertTrue(e.getMessage().contains("'a' and 'b'"), e.getMessage());
        assertTrue(e.getMessage().contains("a certificate must map to one user"), e.getMessage());

        // The same name spelled differently is still the same name.
        e = fails("""
                users:
                  a: {acl: "on", certificates: ["dn:CN=x,O=Example"]}
                  b: {acl: "on", certificates: ["dn:cn=X, o=EXAMPLE"]}
                """, "users");
        assertTrue(e.getMessage().contains("'a' and 'b'"), e.getMessage());
    }

    @Test
    void namesOfTwoUsersOnOneCertificateLoadButMatchAmbiguously() throws Exception {
        PolicySnapshot s = PolicyLoader.parse("""
                users:
                  a: {acl: "on +@all", certificates: [cn:api-client]}
                  b: {acl: "on +@read", certificates: ["uri:spiffe://prod.example/ns/billing/sa/api"]}
                """, SRC);
        CertificateIdentity both = new CertificateIdentity("CN=api-client", List.of(
                CertificateName.parse("cn:api-client"),
                CertificateName.parse("uri:spiffe://prod.example/ns/billing/sa/api")));
        assertTrue(s.userFor(both).ambiguous());
        assertNull(s.userFor(both).user());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[spiffe://prod/x]|users.app.certificates[0]|'spiffe://prod/x' must start with cn:, dn:, dns: or uri:",
            "[cn:ok, 'email:a@b.example']|users.app.certificates[1]|got email:",
            "[cn:ok, 'cn:']|users.app.certificates[1]|has nothing after cn:",
            "['dn:not a dn']|users.app.certificates[0]|is not a distinguished name",
            "[cn:ok, 7]|users.app.certificates[1]|must be a certificate name (cn:, dn:, dns: or uri:) (a string), got 7",
            "['']|users.app.certificates[0]|must be a certificate name",
            "cn:api|users.app.certificates|must be a list, got \"cn:api\"",
            "{cn: api}|users.app.certificates|must be a list"})
    void badCertificateNames(String value, String key, String expected) {
        ConfigException e = fails("users:\n  app:\n    acl: 'on'\n    certificates: " + value + "\n", key);
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }
}
