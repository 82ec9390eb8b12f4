package io.respgate.policy;

import io.netty.buffer.Unpooled;
import io.respgate.codec.CommandFrame;
import io.respgate.policy.command.CommandSpec;
import io.respgate.policy.command.CommandTable;
import io.respgate.policy.command.Frames;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.respgate.policy.Policies.b;
import static io.respgate.policy.Policies.decide;
import static io.respgate.policy.Policies.decideBytes;
import static io.respgate.policy.Policies.sha1Hex;
import static io.respgate.policy.Policies.sha256;
import static io.respgate.policy.Policies.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicySnapshotTest {
    private static final String ALL = "on nopass +@all allkeys allchannels";

    private static UserSpec user(String name, String acl) {
        return UserSpec.of(name, acl);
    }

    /** A command line for an entry, padded with arguments until the arity is satisfied. */
    private static List<String> sample(String entry) {
        List<String> words = new ArrayList<>(List.of(entry.replace('|', ' ').split(" ")));
        String name = entry.split(" ")[0];
        CommandSpec spec = CommandTable.redis70().byName(name);
        if (!spec.subcommands().isEmpty()) {
            words.add(spec.subcommands().get(0).name().split("\\|")[1]);
            spec = spec.subcommands().get(0);
        }
        int arity = spec.arity();
        while (arity > 0 ? words.size() < arity : words.size() < -arity) {
            words.add("1");
        }
        return words;
    }

    private static String mixed(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(i % 2 == 0 ? Character.toUpperCase(c) : c);
        }
        return b.toString();
    }

    @Test
    void everyDefaultGuardrailDeniesInEveryCasing() throws Exception {
        PolicySnapshot s = snapshot(user("u", ALL));
        List<String> entries = Guardrails.defaultEntries();
        assertTrue(entries.containsAll(List.of("module", "debug", "replicaof", "slaveof", "sync", "psync", "monitor",
                "shutdown", "failover", "migrate", "flushall", "flushdb", "swapdb", "bgsave", "save", "bgrewriteaof",
                "client|kill", "acl|setuser", "acl|deluser", "acl|load", "acl|save", "cluster|addslots",
                "cluster|reset", "cluster|failover", "cluster|meet", "config|set dir", "config|set dbfilename",
                "config|set logfile", "config|set appendfilename", "config|set appenddirname")), entries.toString());
        for (String entry : entries) {
            List<String> words = sample(entry);
            for (int casing = 0; casing < 3; casing++) {
                String[] args = new String[words.size()];
                for (int i = 0; i < args.length; i++) {
                    String w = words.get(i);
                    args[i] = casing == 0 ? w : casing == 1 ? w.toUpperCase(Locale.ROOT) : mixed(w);
                }
                Decision d = decide(s, "u", args);
                assertFalse(d.allowed(), entry + " " + List.of(args));
                String expectedEntry = entry.startsWith("module") ? "module" : entry;
                assertEquals("guardrail:" + expectedEntry, d.ruleId(), entry);
                assertEquals("NOPERM this command is blocked by the RespGate guardrail '" + expectedEntry
                        + "' (set by the operator; no user rule can lift it)", d.error());
            }
        }
    }

    @Test
    void guardrailsLeaveReadsAlone() throws Exception {
        PolicySnapshot s = snapshot(user("u", ALL));
        for (String line : List.of("get k", "config get dir", "config set maxmemory 1mb", "cluster info",
                "cluster nodes", "cluster keyslot k", "acl whoami", "acl list", "acl getuser x", "acl cat",
                "acl log", "acl genpass", "acl dryrun u get k", "client list", "client setname x", "info",
                "module", "psubscribe x")) {
            Decision d = decide(s, "u", line);
            if (line.equals("module")) {
                assertEquals("arity", d.ruleId()); // MODULE alone is an arity error, as in Redis
                continue;
            }
            assertSame(Decision.ALLOW, d, line + " -> " + d);
        }
    }

    @Test
    void configSetChecksEveryParameterCaseInsensitivelyAndUpToNul() throws Exception {
        PolicySnapshot s = snapshot(user("u", ALL));
        assertEquals("guardrail:config|set dir", decide(s, "u", "config set maxmemory 1mb DiR /tmp").ruleId());
        assertEquals("guardrail:config|set tls-ca-cert-dir",
                decide(s, "u", "CONFIG SET maxmemory 1mb maxmemory-policy noeviction TLS-CA-CERT-DIR /x").ruleId());
        assertEquals("guardrail:config|set dbfilename",
                decideBytes(s, "u", b("config"), b("set"), b("dbfilename\0junk"), b("x")).ruleId());
        assertSame(Decision.ALLOW, decide(s, "u", "config set maxmemory dir"));
    }

    @Test
    void liftingOneEntryOrAll() throws Exception {
        PolicySnapshot one = snapshot(Guardrails.of(List.of("FLUSHALL", "config|set dir"), List.of()), user("u", ALL));
        assertSame(Decision.ALLOW, decide(one, "u", "flushall"));
        assertSame(Decision.ALLOW, decide(one, "u", "config set dir /tmp"));
        assertEquals("guardrail:flushdb", decide(one, "u", "flushdb").ruleId());
        assertEquals("guardrail:config|set dbfilename", decide(one, "u", "config set dir /tmp dbfilename x").ruleId());

        PolicySnapshot configSet = snapshot(Guardrails.of(List.of("config|set", "cluster"), List.of()), user("u", ALL));
        assertSame(Decision.ALLOW, decide(configSet, "u", "config set dir /tmp logfile x"));
        assertSame(Decision.ALLOW, decide(configSet, "u", "cluster reset"));

        PolicySnapshot all = snapshot(Guardrails.of(List.of("@all"), List.of()), user("u", ALL));
        for (String entry : Guardrails.defaultEntries()) {
            assertSame(Decision.ALLOW, decide(all, "u", sample(entry).toArray(new String[0])), entry);
        }
        assertTrue(all.guardrails().entries().isEmpty());
        assertEquals(1, all.guardrails().lint().size());
        assertEquals(2, one.guardrails().lint().size());
        assertTrue(one.guardrails().lint().get(0).contains("'flushall'"), one.guardrails().lint().toString());
    }

    @Test
    void denyAddsEntriesAndBadEntriesAreRejected() throws Exception {
        PolicySnapshot s = snapshot(Guardrails.of(List.of(), List.of("KEYS", "config|set", "client|pause")),
                user("u", ALL));
        assertEquals("guardrail:keys", decide(s, "u", "keys *").ruleId());
        assertEquals("guardrail:config|set", decide(s, "u", "config set maxmemory 1").ruleId());
        assertEquals("guardrail:client|pause", decide(s, "u", "client pause 10").ruleId());
        assertEquals("allow[0]", assertThrows(PolicyException.class,
                () -> Guardrails.of(List.of("get"), List.of())).path());
        assertEquals("deny[0]", assertThrows(PolicyException.class,
                () -> Guardrails.of(List.of(), List.of("nosuchcommand"))).path());
        assertEquals("deny[0]", assertThrows(PolicyException.class,
                () -> Guardrails.of(List.of("flushall"), List.of("flushall"))).path());
        assertEquals("deny[0]", assertThrows(PolicyException.class,
                () -> Guardrails.of(List.of(), List.of("get k"))).path());
    }

    @Test
    void noUserRuleLiftsAGuardrail() throws Exception {
        PolicySnapshot s = snapshot(user("u", "on nopass +@all +flushall +config|set allkeys"));
        assertEquals("guardrail:flushall", decide(s, "u", "flushall").ruleId());
        assertEquals("guardrail:config|set dir", decide(s, "u", "config set dir /").ruleId());
    }

    @Test
    void aclDenialsUseRedisTexts() throws Exception {
        PolicySnapshot s = snapshot(user("app", "on nopass ~app:* &app:* +@all -@dangerous"),
                user("ro", "on nopass +@read ~cache:*"));
        Decision cmd = decide(s, "app", "config set maxmemory 1");
        assertEquals("NOPERM this user has no permissions to run the 'config|set' command", cmd.error());
        assertEquals("acl:app", cmd.ruleId());
        assertEquals("NOPERM this user has no permissions to access one of the keys used as arguments",
                decide(s, "app", "get other").error());
        assertEquals("NOPERM this user has no permissions to access one of the channels used as arguments",
                decide(s, "app", "publish other x").error());
        assertSame(Decision.ALLOW, decide(s, "app", "set app:1 x"));
        assertSame(Decision.ALLOW, decide(s, "ro", "get cache:1"));
        assertEquals("NOPERM this user has no permissions to run the 'set' command",
                decide(s, "ro", "set cache:1 x").error());
        assertEquals("NOPERM this user has no permissions to access one of the keys used as arguments",
                decide(s, "ro", "mget cache:1 x").error());
    }

    @Test
    void unknownCommandsAndSubcommandsAndArity() throws Exception {
        PolicySnapshot s = snapshot(user("u", ALL));
        Decision d = decide(s, "u", "foo a b c");
        assertEquals("ERR unknown command 'foo', with args beginning with: 'a' 'b' 'c' ", d.error());
        assertEquals("unknown-command", d.ruleId());
        assertEquals("ERR unknown command 'foo', with args beginning with: ", decide(s, "u", "foo").error());
        assertEquals("ERR unknown subcommand 'nosuch'. Try CONFIG HELP.", decide(s, "u", "CoNfIg nosuch").error());
        assertEquals("ERR wrong number of arguments for 'get' command", decide(s, "u", "get").error());
        assertEquals("ERR wrong number of arguments for 'config|set' command", decide(s, "u", "config set").error());
        assertEquals("arity", decide(s, "u", "config").ruleId());
    }

    @Test
    void unknownCommandTextMatchesRedis() throws Exception {
        PolicySnapshot s = snapshot(user("u", ALL));
        String longName = "x".repeat(200);
        String longArg = "y".repeat(100);
        List<byte[][]> cases = List.of(
                new byte[][] {b("foo"), b("a"), b("b")},
                new byte[][] {b("foo")},
                new byte[][] {b(longName), b("a")},
                new byte[][] {b("foo"), b(longArg), b(longArg), b(longArg)},
                new byte[][] {b("foo"), b("a\r\nb"), b("c\0d"), b("\u00e9\u00ff")},
                new byte[][] {b("fo\0o"), b("")},
                new byte[][] {b("config"), b("nosuch"), b("x")},
                new byte[][] {b("xinfo"), b("w\r\nx")},
                new byte[][] {b("ClUsTeR"), b("bogus")},
                new byte[][] {b("get")},
                new byte[][] {b("config"), b("get")},
                new byte[][] {b("cluster")});
        try (LiveServer redis = LiveServer.start()) {
            for (byte[][] args : cases) {
                Object reply = redis.call(args);
                Decision d = decideBytes(s, "u", args);
                assertEquals(reply, "-" + d.error(), () -> new String(args[0], StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void denyArgsRules() throws Exception {
        UserSpec spec = new UserSpec("u", ALL, null, List.of(), null, 0, List.of(
                UserSpec.ArgRuleSpec.deny("keys"),
                new UserSpec.ArgRuleSpec("config|set", List.of("maxmemory*", "*"), true, null, null),
                new UserSpec.ArgRuleSpec("scan", List.of(), false, "COUNT", 1000L),
                UserSpec.ArgRuleSpec.deny("client", "no-evict", "on"),
                UserSpec.ArgRuleSpec.deny("object", "freq", "[a-c]*")), List.of());
        PolicySnapshot s = snapshot(spec);
        Decision keys = decide(s, "u", "KEYS *");
        assertEquals("rule:u:deny_args[0]", keys.ruleId());
        assertEquals("NOPERM this user has no permissions to run the 'keys' command with these arguments", keys.error());
        assertEquals("rule:u:deny_args[1]", decide(s, "u", "config set maxmemory-policy x").ruleId());
        assertEquals("rule:u:deny_args[1]", decide(s, "u", "config set hz 10 MAXMEMORY 1").ruleId());
        assertSame(Decision.ALLOW, decide(s, "u", "config set hz 10"));
        assertSame(Decision.ALLOW, decide(s, "u", "scan 0 count 1000"));
        assertEquals("rule:u:deny_args[2]", decide(s, "u", "scan 0 COUNT 1001").ruleId());
        assertEquals("rule:u:deny_args[2]", decide(s, "u", "scan 0 count 10 count 5000").ruleId());
        assertEquals("rule:u:deny_args[2]", decide(s, "u", "scan 0 count abc").ruleId());
        assertSame(Decision.ALLOW, decide(s, "u", "scan 0 match *"));
        assertEquals("rule:u:deny_args[3]", decide(s, "u", "client NO-EVICT On").ruleId());
        assertSame(Decision.ALLOW, decide(s, "u", "client no-evict off"));
        assertEquals("rule:u:deny_args[4]", decide(s, "u", "object freq Apple").ruleId());
        assertSame(Decision.ALLOW, decide(s, "u", "object freq zebra"));
    }

    @Test
    void allowOnlyArgsRules() throws Exception {
        UserSpec spec = new UserSpec("u", ALL, null, List.of(), null, 0, List.of(), List.of(
                UserSpec.ArgRuleSpec.allowOnly("config|get", "maxmemory", "maxmemory-policy"),
                UserSpec.ArgRuleSpec.allowOnly("config|get", "hz")));
        PolicySnapshot s = snapshot(spec);
        assertSame(Decision.ALLOW, decide(s, "u", "config get MAXMEMORY hz"));
        Decision d = decide(s, "u", "config get maxmemory dir");
        assertEquals("rule:u:allow_only_args[0]", d.ruleId());
        assertEquals("rule:u:allow_only_args[0]", decide(s, "u", "config get *").ruleId());
        assertThrows(PolicyException.class, () -> PolicyUser.compile(new UserSpec("u", ALL, null, List.of(), null, 0,
                List.of(), List.of(UserSpec.ArgRuleSpec.allowOnly("config|get"))))).path();
        assertEquals("deny_args[0].command", assertThrows(PolicyException.class,
                () -> PolicyUser.compile(new UserSpec("u", ALL, null, List.of(), null, 0,
                        List.of(UserSpec.ArgRuleSpec.deny("nosuch")), List.of()))).path());
    }

    @Test
    void databases() throws Exception {
        PolicySnapshot s = snapshot(new UserSpec("u", ALL, List.of(0, 1), List.of(), null, 0, List.of(), List.of()));
        assertSame(Decision.ALLOW, decide(s, "u", "select 1"));
        Decision d = decide(s, "u", "select 2");
        assertEquals("rule:u:databases", d.ruleId());
        assertFalse(decide(s, "u", "select 01").allowed());
        assertFalse(decide(s, "u", "select -1").allowed());
        assertFalse(decide(s, "u", "select x").allowed());
        assertEquals("guardrail:swapdb", decide(s, "u", "swapdb 0 1").ruleId());
        PolicySnapshot lifted = snapshot(Guardrails.of(List.of("swapdb"), List.of()),
                new UserSpec("u", ALL, List.of(0, 1), List.of(), null, 0, List.of(), List.of()));
        assertSame(Decision.ALLOW, decide(lifted, "u", "swapdb 0 1"));
        assertFalse(decide(lifted, "u", "swapdb 0 3").allowed());
        assertSame(Decision.ALLOW, decide(s, "u", "move k 1"));
        assertFalse(decide(s, "u", "move k 5").allowed());
        assertSame(Decision.ALLOW, decide(s, "u", "copy a b db 1 replace"));
        assertFalse(decide(s, "u", "copy a b REPLACE DB 9").allowed());
        assertTrue(s.user("u").allowsDatabase(1));
        assertFalse(s.user("u").allowsDatabase(2));
        PolicySnapshot all = snapshot(user("u", ALL));
        assertSame(Decision.ALLOW, decide(all, "u", "select 15"));
    }

    @Test
    void scriptAllowList() throws Exception {
        String body = "return redis.call('get', KEYS[1])";
        String sha = sha1Hex(body);
        PolicySnapshot s = snapshot(new UserSpec("u", ALL, null, List.of(),
                new UserSpec.Scripts(List.of(sha), List.of("MyFunc")), 0, List.of(), List.of()));
        assertSame(Decision.ALLOW, decide(s, "u", "eval", body, "1", "k"));
        assertSame(Decision.ALLOW, decide(s, "u", "eval_ro", body, "1", "k"));
        Decision d = decide(s, "u", "eval", "return 1", "0");
        assertEquals("rule:u:scripts", d.ruleId());
        assertSame(Decision.ALLOW, decide(s, "u", "evalsha", sha.toUpperCase(Locale.ROOT), "1", "k"));
        assertFalse(decide(s, "u", "evalsha_ro", sha1Hex("x"), "0").allowed());
        assertSame(Decision.ALLOW, decide(s, "u", "script", "load", body));
        assertFalse(decide(s, "u", "script", "load", "return 2").allowed());
        assertSame(Decision.ALLOW, decide(s, "u", "fcall myfunc 0"));
        assertSame(Decision.ALLOW, decide(s, "u", "fcall_ro MYFUNC 0"));
        assertFalse(decide(s, "u", "fcall other 0").allowed());
        assertFalse(decide(s, "u", "function", "load", "#!lua name=x\nredis.register_function('MyFunc', f)").allowed());
        String big = "return '" + "x".repeat(100_000) + "'";
        PolicySnapshot bigList = snapshot(new UserSpec("u", ALL, null, List.of(),
                new UserSpec.Scripts(List.of(sha1Hex(big)), List.of()), 0, List.of(), List.of()));
        assertSame(Decision.ALLOW, decide(bigList, "u", "eval", big, "0"));
        PolicySnapshot none = snapshot(user("u", ALL));
        assertSame(Decision.ALLOW, decide(none, "u", "eval", "return 1", "0"));
        assertEquals("scripts.sha1[0]", assertThrows(PolicyException.class, () -> PolicyUser.compile(new UserSpec("u",
                ALL, null, List.of(), new UserSpec.Scripts(List.of("abc"), List.of()), 0, List.of(), List.of()))).path());
    }

    @Test
    void sortPatternsNeedFullReadAccess() throws Exception {
        PolicySnapshot s = snapshot(user("prefix", "on nopass +@all ~a*"), user("readall", "on nopass +@all %R~*"),
                user("writeall", "on nopass +@all %W~* ~a*"), user("selector", "on nopass +@all ~a* (~* +@all)"));
        Decision by = decide(s, "prefix", "SORT a BY b*");
        assertEquals("ERR BY option of SORT denied due to insufficient ACL permissions.", by.error());
        assertEquals("rule:prefix:sort-pattern", by.ruleId());
        assertEquals("ERR GET option of SORT denied due to insufficient ACL permissions.",
                decide(s, "prefix", "sort_ro a GET #").error());
        assertSame(Decision.ALLOW, decide(s, "prefix", "sort a BY nosort"));
        assertSame(Decision.ALLOW, decide(s, "prefix", "sort a"));
        assertSame(Decision.ALLOW, decide(s, "readall", "sort a BY b* GET c*"));
        assertSame(Decision.ALLOW, decide(s, "selector", "sort a BY b* GET c*"));
        assertFalse(decide(s, "writeall", "sort a BY b*").allowed());
    }

    @Test
    void exceptionsDenyFailClosed() throws Exception {
        PolicySnapshot s = snapshot(user("u", ALL));
        CommandFrame broken = new CommandFrame(Unpooled.copiedBuffer(b("*1\r\n$3\r\nget\r\n")),
                new int[] {1000, 3}, 1, false);
        try {
            Decision d = s.decide(s.user("u"), broken);
            assertEquals("internal-error", d.ruleId());
        } finally {
            broken.release();
        }
        CommandFrame ok = Frames.frame("get", "k");
        try {
            assertEquals("no-user", s.decide(null, ok).ruleId());
            PolicySnapshot other = snapshot(user("v", ALL), new UserSpec("u", "off nopass +@all allkeys", null,
                    List.of(), null, 0, List.of(), List.of()));
            assertEquals("user-disabled", other.decide(s.user("u"), ok).ruleId());
            assertEquals("user-removed", other.decide(snapshot(user("w", ALL)).user("w"), ok).ruleId());
        } finally {
            ok.release();
        }
    }

    @Test
    void allowedPathAllocatesNothing() throws Exception {
        PolicySnapshot s = snapshot(new UserSpec("u", "on nopass +@all -@dangerous +sort ~app:* ~cache:* &ch", List.of(0, 1),
                List.of(), null, 0, List.of(UserSpec.ArgRuleSpec.deny("keys")), List.of()));
        CommandFrame[] frames = {Frames.frame("get", "app:1"), Frames.frame("SET", "cache:x", "v"),
                Frames.frame("mget", "app:1", "cache:2"), Frames.frame("select", "1"),
                Frames.frame("publish", "ch", "m"), Frames.frame("sort", "app:1")};
        try {
            PolicyUser u = s.user("u");
            for (int i = 0; i < 20_000; i++) {
                for (CommandFrame f : frames) {
                    assertSame(Decision.ALLOW, s.decide(u, f));
                }
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(tid);
            int allowed = 0;
            for (int i = 0; i < 10_000; i++) {
                for (CommandFrame f : frames) {
                    if (s.decide(u, f) == Decision.ALLOW) {
                        allowed++;
                    }
                }
            }
            long after = mx.getThreadAllocatedBytes(tid);
            assertEquals(60_000, allowed);
            assertTrue(after - before < 4096, "allocated " + (after - before) + " bytes");
        } finally {
            for (CommandFrame f : frames) {
                f.release();
            }
        }
    }

    @Test
    void passwords() throws Exception {
        PolicySnapshot s = snapshot(
                user("one", "on #" + sha256("secret") + " +@all"),
                user("two", "on #" + sha256("a") + " #" + sha256("b") + " +@all"),
                user("off", "off #" + sha256("secret") + " +@all"),
                user("open", "on nopass +@all"),
                user("default", "on nopass +@all"),
                user("nopw", "on +@all"));
        PolicyUser one = s.user("one");
        assertTrue(one.passwordMatches(b("secret")));
        assertFalse(one.passwordMatches(b("Secret")));
        assertFalse(one.passwordMatches(b("")));
        assertFalse(one.passwordMatches(null));
        assertTrue(s.user("two").passwordMatches(b("a")));
        assertTrue(s.user("two").passwordMatches(b("b")));
        assertFalse(s.user("two").passwordMatches(b("c")));
        assertTrue(s.user("off").passwordMatches(b("secret")));
        assertFalse(s.user("off").authenticates(b("secret")));
        assertFalse(s.user("off").enabled());
        assertTrue(one.authenticates(b("secret")));
        assertTrue(s.user("open").authenticates(b("anything")));
        assertFalse(s.user("nopw").authenticates(b("")));
        assertSame(s.user("default"), s.openDefaultUser());
        assertNull(s.user("ONE"));
        assertEquals(6, s.userCount());
        assertNull(snapshot(user("default", "off nopass")).openDefaultUser());
        assertEquals("2bb80d537b1d", PasswordHashing.sha256Hex(b("secret")).substring(0, 12));
    }

    @Test
    void plaintextPasswordsAreRejectedWithoutEchoingThem() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> PolicyUser.compile(user("app", "on >hunter2 +@all")));
        assertEquals("acl", e.path());
        assertTrue(e.getMessage().contains("'app'"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void sourceNetworksAndLimits() throws Exception {
        PolicyUser u = PolicyUser.compile(new UserSpec("u", ALL, null,
                List.of("10.0.0.0/8", "127.0.0.1/32", "::1/128", "2001:db8::/32"), null, 50, List.of(), List.of()));
        assertTrue(u.allowsSource(InetAddress.getByName("10.1.2.3")));
        assertTrue(u.allowsSource(InetAddress.getByName("127.0.0.1")));
        assertFalse(u.allowsSource(InetAddress.getByName("127.0.0.2")));
        assertTrue(u.allowsSource(InetAddress.getByName("::1")));
        assertTrue(u.allowsSource(InetAddress.getByName("::ffff:10.9.9.9")));
        assertTrue(u.allowsSource(InetAddress.getByName("2001:db8:1::5")));
        assertFalse(u.allowsSource(InetAddress.getByName("11.0.0.1")));
        assertEquals(50, u.maxConnections());
        assertTrue(PolicyUser.compile(user("any", ALL)).allowsSource(InetAddress.getByName("8.8.8.8")));
        for (String bad : List.of("10.0.0.1/8", "10.0.0.0/33", "example.com", "10.0.0", "::1/129", "")) {
            PolicyException e = assertThrows(PolicyException.class, () -> PolicyUser.compile(new UserSpec("u", ALL,
                    null, List.of(bad), null, 0, List.of(), List.of())), bad);
            assertEquals("source_networks[0]", e.path());
        }
    }
}
