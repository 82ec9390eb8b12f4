package io.respgate.policy.command;

import io.respgate.codec.CommandFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandTableTest {
    private static final CommandTable TABLE = CommandTable.redis70();

    private static CommandSpec lookup(String... args) {
        CommandFrame frame = Frames.frame(args);
        try {
            return TABLE.lookup(frame);
        } finally {
            frame.release();
        }
    }

    private static CommandSpec lookup(byte[]... args) {
        CommandFrame frame = Frames.frame(args);
        try {
            return TABLE.lookup(frame);
        } finally {
            frame.release();
        }
    }

    @Test
    void tableHasEveryRedis70CommandWithDenseIds() {
        assertEquals(366, TABLE.size());
        assertEquals(240, TABLE.commands().size());
        for (int i = 0; i < TABLE.size(); i++) {
            assertEquals(i, TABLE.all().get(i).id());
        }
        assertSame(TABLE, CommandTable.redis70());
    }

    @Test
    void everyCasingOfEveryNameResolves() {
        for (CommandSpec spec : TABLE.all()) {
            String[] parts = spec.name().split("\\|");
            for (int variant = 0; variant < 3; variant++) {
                String[] args = new String[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    args[i] = casing(parts[i], variant);
                }
                assertSame(spec, lookup(args), String.join(" ", args));
            }
        }
        for (int mask = 0; mask < 8; mask++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                char c = "get".charAt(i);
                sb.append((mask & (1 << i)) != 0 ? Character.toUpperCase(c) : c);
            }
            assertSame(TABLE.byName("get"), lookup(sb.toString(), "k"));
        }
    }

    private static String casing(String s, int variant) {
        if (variant == 0) {
            return s.toUpperCase(Locale.ROOT);
        }
        if (variant == 1) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            sb.append(i % 2 == 0 ? Character.toUpperCase(s.charAt(i)) : s.charAt(i));
        }
        return sb.toString();
    }

    @Test
    void containersResolveKnownSubcommandsOnly() {
        CommandSpec config = TABLE.byName("config");
        assertSame(TABLE.byName("config|set"), lookup("CONFIG", "SET", "maxmemory", "1"));
        assertSame(TABLE.byName("config|set"), lookup("config", "sEt", "maxmemory", "1"));
        assertSame(config, lookup("CONFIG"));
        assertSame(config, lookup("CONFIG", "NOSUCH"));
        assertSame(config, TABLE.byName("config|set").parent());
        assertTrue(config.subcommands().contains(TABLE.byName("config|get")));
        assertSame(TABLE.byName("client|no-evict"), lookup("client", "NO-EVICT", "on"));
        assertSame(TABLE.byName("xinfo|stream"), lookup("XINFO", "STREAM", "s"));
        assertSame(TABLE.byName("object|encoding"), lookup("OBJECT", "ENCODING", "k"));
        assertSame(TABLE.byName("acl|setuser"), lookup("ACL", "SETUSER", "u"));
        // A command without subcommands ignores its arguments.
        assertSame(TABLE.byName("get"), lookup("GET", "set"));
        assertSame(TABLE.byName("config|set"), TABLE.byName("CONFIG|SET"));
        assertNull(TABLE.byName("config|nosuch"));
    }

    @Test
    void unknownCommandsAreNull() {
        assertNull(lookup("NOSUCH"));
        assertNull(lookup("GETT", "k"));
        assertNull(lookup("GE", "k"));
        assertNull(lookup(""));
        assertNull(lookup("config|set", "x", "y"));
        assertNull(TABLE.byName("nosuch"));
    }

    @Test
    void namesAreComparedUpToTheFirstNulLikeStrcasecmp() {
        byte[] getNul = "get\0x".getBytes(StandardCharsets.UTF_8);
        assertSame(TABLE.byName("get"), lookup(getNul, "k".getBytes(StandardCharsets.UTF_8)));
        byte[] setNul = "SET\0junk".getBytes(StandardCharsets.UTF_8);
        assertSame(TABLE.byName("config|set"), lookup("CONFIG".getBytes(StandardCharsets.UTF_8), setNul,
                "dir".getBytes(StandardCharsets.UTF_8), "/tmp".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void metadata() {
        CommandSpec get = TABLE.byName("get");
        assertEquals(2, get.arity());
        assertTrue(get.hasFlag("readonly"));
        assertTrue(get.hasFlag("fast"));
        assertFalse(get.hasFlag("write"));
        assertEquals(AclCategory.READ.bit() | AclCategory.STRING.bit() | AclCategory.FAST.bit(), get.categories());
        assertNull(get.parent());
        assertTrue(get.subcommands().isEmpty());
        assertEquals(List.of(KeySpec.indexRange(KeyFlags.RO | KeyFlags.ACCESS, 1, 0, 1, 0)), get.keySpecs());
        assertTrue(TABLE.byName("auth").hasFlag("no-auth"));
        assertTrue(TABLE.byName("auth").hasFlag("no_auth"));
        assertTrue(TABLE.byName("flushall").inCategory(AclCategory.DANGEROUS));
        assertTrue(TABLE.byName("config|set").hasFlag("admin"));
        assertEquals(-4, TABLE.byName("config|set").arity());
    }

    @Test
    void aclCategories() {
        assertEquals("sortedset", AclCategory.SORTEDSET.aclName());
        assertSame(AclCategory.SORTEDSET, AclCategory.byAclName("SortedSet"));
        assertNull(AclCategory.byAclName("all"));
        assertNull(AclCategory.byAclName("nosuch"));
        assertEquals(1L << 4, AclCategory.SORTEDSET.bit());
        Set<String> used = new HashSet<>();
        for (CommandSpec spec : TABLE.all()) {
            for (AclCategory c : AclCategory.values()) {
                if (spec.inCategory(c)) {
                    used.add(c.aclName());
                }
            }
        }
        assertEquals(AclCategory.values().length, used.size(), "every category is used by some command");
    }

    @Test
    void everyIncompleteCommandHasAKeyProcedure() {
        for (CommandSpec spec : TABLE.all()) {
            boolean needsProc = spec.hasFlag("movablekeys")
                    || spec.keySpecs().stream().anyMatch(k -> !k.isComplete() || (k.flags() & KeyFlags.VARIABLE_FLAGS) != 0);
            boolean incomplete = spec.keySpecs().stream()
                    .anyMatch(k -> !k.isComplete() || (k.flags() & KeyFlags.VARIABLE_FLAGS) != 0);
            if (incomplete) {
                assertNotNull(KeyProc.forCommand(spec.name()), spec.name());
            }
            if (needsProc && KeyProc.forCommand(spec.name()) == null) {
                // movable only by key spec shape (keyword, keynum): the specs alone must do
                assertTrue(spec.keySpecs().stream().allMatch(KeySpec::isComplete), spec.name());
            }
        }
    }

    @Test
    void parseRejectsBadTables() throws IOException {
        assertThrows(IOException.class, () -> parse("cmd get x readonly read 1:1:1 -\n"));
        assertThrows(IOException.class, () -> parse("cmd get 2 readonly nosuchcat 1:1:1 -\n"));
        assertThrows(IOException.class, () -> parse("key RO index:1 range:0:1:0\n"));
        assertThrows(IOException.class, () -> parse("cmd get 2 readonly read 1:1:1 -\nkey XX index:1 range:0:1:0\n"));
        assertThrows(IOException.class, () -> parse("cmd a|b 2 - read 0:0:0 -\n"));
        assertThrows(IOException.class, () -> parse("cmd get 2 - read 0:0:0 -\ncmd get 2 - read 0:0:0 -\n"));
        CommandTable t = parse("# c\ncmd get 2 readonly read 1:1:1 -\nkey RO,access index:1 range:0:1:0\n");
        assertEquals(1, t.size());
    }

    private static CommandTable parse(String text) throws IOException {
        return CommandTable.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void learnedCommandsAreAppendedWithContinuingIds() {
        RespValue moduleCmd = entry("json.get", -2, List.of("readonly"), List.of("@read", "@module"),
                List.of(keySpec(List.of("RO", "access"), "index", List.of("index", 1), "range",
                        List.of("lastkey", 0, "keystep", 1, "limit", 0))), List.of());
        RespValue newSub = entry("client", -2, List.of(), List.of("@slow"), List.of(), List.of(
                entry("client|newsub", 2, List.of("admin"), List.of("@admin", "@slow"), List.of(), List.of()),
                entry("client|list", -2, List.of("admin"), List.of("@admin", "@slow"), List.of(), List.of())));
        RespValue reply = new RespValue.Arr(List.of(moduleCmd, newSub, RespValue.Nil.INSTANCE));
        List<CommandSpec> learned = CommandTableLearner.learn(TABLE, reply);
        assertEquals(List.of("json.get", "client|newsub"), learned.stream().map(CommandSpec::name).toList());

        CommandTable bigger = TABLE.withLearned(learned);
        assertEquals(TABLE.size() + 2, bigger.size());
        for (CommandSpec old : TABLE.all()) {
            assertEquals(old.id(), bigger.byName(old.name()).id(), old.name());
        }
        CommandSpec json = bigger.byName("json.get");
        assertEquals(TABLE.size(), json.id());
        assertSame(json, lookupIn(bigger, "JSON.GET", "doc"));
        assertSame(bigger.byName("client|newsub"), lookupIn(bigger, "CLIENT", "NewSub"));
        assertSame(bigger.byName("client"), bigger.byName("client|newsub").parent());
        assertNull(lookup("JSON.GET", "doc"), "the original table is unchanged");
        assertTrue(bigger.byName("client").subcommands().contains(bigger.byName("client|newsub")));

        CommandFrame frame = Frames.frame("JSON.GET", "doc", "$");
        try {
            assertEquals(List.of(new Frames.Key(1, KeyFlags.RO | KeyFlags.ACCESS)), Frames.keys(json, frame));
        } finally {
            frame.release();
        }
        assertThrows(IllegalArgumentException.class, () -> bigger.withLearned(learned));
    }

    @Test
    void learnedCommandWithoutUsableKeySpecsFailsClosed() {
        RespValue movable = entry("mod.cmd", -2, List.of("write", "module", "movablekeys"), List.of("@write"),
                List.of(), List.of());
        RespValue odd = entry("mod.odd", -2, List.of("write"), List.of("@write"),
                List.of(keySpec(List.of("RW", "brand_new_flag"), "index", List.of("index", 1), "range",
                        List.of("lastkey", 0, "keystep", 1, "limit", 0))), List.of());
        CommandTable t = TABLE.withLearned(CommandTableLearner.learn(TABLE, new RespValue.Arr(List.of(movable, odd))));
        for (String name : List.of("mod.cmd", "mod.odd")) {
            CommandFrame frame = Frames.frame(name, "k");
            try {
                assertNull(Frames.keys(t.byName(name), frame), name);
            } finally {
                frame.release();
            }
        }
    }

    private static CommandSpec lookupIn(CommandTable table, String... args) {
        CommandFrame frame = Frames.frame(args);
        try {
            return table.lookup(frame);
        } finally {
            frame.release();
        }
    }

    static RespValue entry(String name, int arity, List<String> flags, List<String> categories,
                           List<RespValue> keySpecs, List<RespValue> subs) {
        return new RespValue.Arr(List.of(new RespValue.Str(name), new RespValue.Int(arity), strs(flags),
                new RespValue.Int(0), new RespValue.Int(0), new RespValue.Int(0), strs(categories), strs(List.of()),
                new RespValue.Arr(keySpecs), new RespValue.Arr(subs)));
    }

    static RespValue keySpec(List<String> flags, String bsType, List<Object> bs, String fkType, List<Object> fk) {
        return new RespValue.Arr(List.of(new RespValue.Str("flags"), strs(flags),
                new RespValue.Str("begin_search"), new RespValue.Arr(List.of(new RespValue.Str("type"),
                        new RespValue.Str(bsType), new RespValue.Str("spec"), values(bs))),
                new RespValue.Str("find_keys"), new RespValue.Arr(List.of(new RespValue.Str("type"),
                        new RespValue.Str(fkType), new RespValue.Str("spec"), values(fk)))));
    }

    private static RespValue strs(List<String> items) {
        return new RespValue.Arr(items.stream().map(s -> (RespValue) new RespValue.Str(s)).toList());
    }

    private static RespValue values(List<Object> items) {
        List<RespValue> out = new ArrayList<>();
        for (Object o : items) {
            out.add(o instanceof Integer i ? new RespValue.Int(i) : new RespValue.Str(o.toString()));
        }
        return new RespValue.Arr(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "EVAL s 5 k1", "EVAL s -1", "EVAL s abc k1", "EVAL s 01 k1", "EVAL s +1 k1", "EVAL s 99999999999 k1",
        "EVALSHA sha 2 k1", "FCALL f 3 k1 k2", "FCALL f x", "ZUNIONSTORE d 3 a b", "ZUNIONSTORE d -1 a",
        "ZUNIONSTORE d 0 a", "ZUNION x a", "ZINTER 0 a", "ZDIFF 2 a", "LMPOP 5 a LEFT", "LMPOP x a LEFT",
        "BLMPOP 0 3 a LEFT", "ZMPOP -2 a MIN", "BZMPOP 0 x a MIN", "SINTERCARD 0 a", "SINTERCARD 3 a b",
        "XREAD STREAMS s1", "XREAD COUNT 1 STREAMS a", "MIGRATE h 1 k 0 5000 KEYS a",
        "GET", "GET a b", "MSET a", "CONFIG", "SET k", "XREADGROUP GROUP g c STREAMS s",
    })
    void malformedFramesAreRejected(String line) {
        CommandFrame frame = Frames.frame(Frames.words(line));
        try {
            CommandSpec spec = TABLE.lookup(frame);
            assertNotNull(spec, line);
            List<Frames.Key> visited = new ArrayList<>();
            assertFalse(spec.forEachKey(frame, (f, i, flags) -> visited.add(new Frames.Key(i, flags))), line);
            assertTrue(visited.isEmpty(), line + " visited " + visited);
        } finally {
            frame.release();
        }
    }

    @Test
    void visitorCanStop() {
        CommandFrame frame = Frames.frame("MSET", "a", "1", "b", "2", "c", "3");
        try {
            List<Integer> seen = new ArrayList<>();
            assertTrue(TABLE.lookup(frame).forEachKey(frame, (f, i, flags) -> seen.add(i) && seen.size() < 2));
            assertEquals(List.of(1, 3), seen);
        } finally {
            frame.release();
        }
    }

    @Test
    void keywordsMatchUpToTheFirstNulLikeStrcasecmp() {
        CommandFrame frame = Frames.frame("GEORADIUS".getBytes(), "src".getBytes(), "1".getBytes(), "2".getBytes(),
                "3".getBytes(), "km".getBytes(), "store\0x".getBytes(), "dst".getBytes());
        try {
            assertEquals(List.of(new Frames.Key(1, KeyFlags.RO | KeyFlags.ACCESS),
                    new Frames.Key(7, KeyFlags.OW | KeyFlags.UPDATE)), Frames.keys(TABLE.lookup(frame), frame));
        } finally {
            frame.release();
        }
    }

    /** Redis 7.0 checks one STORE key and writes another when STORE repeats; the proxy checks both. */
    @Test
    void repeatedStoreOptionsVisitTheKeyTheCommandWrites() {
        assertKeys("SORT a STORE by STORE b", List.of(new Frames.Key(1, KeyFlags.RO | KeyFlags.ACCESS),
                new Frames.Key(3, KeyFlags.OW | KeyFlags.UPDATE), new Frames.Key(5, KeyFlags.OW | KeyFlags.UPDATE)));
        assertKeys("GEORADIUS k 0 0 1 km STORE a STORE b", List.of(new Frames.Key(1, KeyFlags.RO | KeyFlags.ACCESS),
                new Frames.Key(7, KeyFlags.OW | KeyFlags.UPDATE), new Frames.Key(9, KeyFlags.OW | KeyFlags.UPDATE)));
        assertKeys("GEORADIUSBYMEMBER k m 1 km STORE a STOREDIST b", List.of(
                new Frames.Key(1, KeyFlags.RO | KeyFlags.ACCESS), new Frames.Key(6, KeyFlags.OW | KeyFlags.UPDATE),
                new Frames.Key(8, KeyFlags.OW | KeyFlags.UPDATE)));
    }

    private static void assertKeys(String line, List<Frames.Key> expected) {
        CommandFrame frame = Frames.frame(Frames.words(line));
        try {
            assertEquals(expected, Frames.keys(TABLE.lookup(frame), frame), line);
        } finally {
            frame.release();
        }
    }

    @Test
    void sortPatterns() {
        assertPatterns("SORT a BY b* GET c* GET # STORE d", List.of(3, 5, 7));
        assertPatterns("SORT a BY nosort", List.of());
        assertPatterns("SORT a BY w_*->f LIMIT 0 1 GET x ALPHA", List.of(3, 8));
        assertPatterns("SORT_RO a BY w_* GET o_*", List.of(3, 5));
        assertPatterns("SORT_RO a STORE d GET o_*", List.of()); // STORE is a syntax error for SORT_RO
        assertPatterns("SORT a", List.of());
        assertPatterns("GET a", List.of());
        CommandFrame frame = Frames.frame("SORT".getBytes(), "a".getBytes(), "BY".getBytes(), "x\0*".getBytes());
        try {
            List<Integer> seen = new ArrayList<>();
            assertTrue(TABLE.lookup(frame).forEachSortPattern(frame, (f, i, flags) -> seen.add(i)));
            assertEquals(List.of(), seen, "strchr stops at NUL: Redis does not sort by this pattern");
        } finally {
            frame.release();
        }
    }

    private static void assertPatterns(String line, List<Integer> expected) {
        CommandFrame frame = Frames.frame(Frames.words(line));
        try {
            List<Integer> seen = new ArrayList<>();
            assertTrue(TABLE.lookup(frame).forEachSortPattern(frame, (f, i, flags) -> {
                assertEquals(KeyFlags.RO | KeyFlags.ACCESS, flags);
                return seen.add(i);
            }));
            assertEquals(expected, seen, line);
        } finally {
            frame.release();
        }
    }
}
