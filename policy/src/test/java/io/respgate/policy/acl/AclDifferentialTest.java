package io.respgate.policy.acl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respgate.codec.CommandFrame;
import io.respgate.codec.testing.RedisProcess;
import io.respgate.policy.command.CommandSpec;
import io.respgate.policy.command.CommandTable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis's own ACL engine as the oracle: for generated (rules, command) pairs, {@code ACL SETUSER}
 * and {@code ACL DRYRUN} on a live redis-server against {@link AclRules#parse} and
 * {@link CompiledAcl#check}. Rules Redis rejects must be rejected by the parser too; for the rest
 * the decision, the reason (command, key, channel) and the argument Redis names must agree.
 *
 * <p>Seed fixed; {@code -Drespgate.acl.differential.count=200000} runs more pairs.
 */
class AclDifferentialTest {
    private static final long SEED = 0x5EEDAC1L;
    private static final int BATCH = 500;

    private static final String[] KEYS = {
        "a", "b", "app:1", "app:2", "cache:x", "user:42", "user:x", "foo", "", "[x]", "a*b", "ro:1", "w:1", "ab",
    };
    private static final String[] KEY_PATTERNS = {
        "a", "b", "app:*", "cache:*", "user:[0-9]*", "*", "?", "a*", "[ab]", "foo", "ro:*", "w:*", "\\[x]", "*:1",
        "", "user:?",
    };
    private static final String[] CHANNELS = {"news", "news.sport", "app:ev", "a*", "*", "x", "n?ws", ""};
    private static final String[] CHANNEL_PATTERNS = {"news*", "app:*", "x", "a*", "n?ws", "news", "*s", "[nx]*"};
    private static final String[] CATEGORIES = {
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
        "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction",
        "scripting", "all",
    };
    private static final String[] COMMAND_RULES = {
        "get", "set", "mget", "mset", "del", "rename", "lmove", "copy", "sort", "sort_ro", "eval", "evalsha",
        "zunionstore", "xread", "hset", "lpush", "sadd", "incr", "exists", "object", "object|encoding", "config",
        "config|get", "config|set", "client", "client|id", "client|kill", "publish", "subscribe", "psubscribe",
        "ssubscribe", "spublish", "unsubscribe", "ping", "select", "debug", "flushall", "keys", "scan", "bitop",
        "georadius", "migrate", "memory", "memory|usage", "acl", "acl|whoami", "xadd", "auth", "hello", "getdel",
        "append", "blpop", "lpos", "touch", "unlink", "smove", "pfmerge", "getrange", "setrange", "info", "fcall",
        "xreadgroup", "georadius_ro", "restore", "dump",
    };
    private static final String[] FIRST_ARG_RULES = {"select|0", "select|1", "debug|object", "debug|sleep",
        "get|a", "ping|x"};
    private static final String[] INVALID_RULES = {
        "+nosuch", "-@nosuch", "+config|nosuch", "-select|0", "+config|get|x", "%X~a", "%~a", "+get|",
        "bogus", "#abc", "!0000000000000000000000000000000000000000000000000000000000000000", "-config|",
        "(+get", ")", "&a b",
    };

    @Test
    void agreesWithRedisAclDryrun() throws Exception {
        Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server not on PATH");
        int count = Integer.getInteger("respgate.acl.differential.count", 10_000);
        CommandTable table = CommandTable.redis70();
        Random random = new Random(SEED);
        int tried = 0;
        int rejectedByBoth = 0;
        int redisErrors = 0;
        int allowed = 0;
        int[] denials = new int[AclVerdict.Kind.values().length];
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        try (RedisProcess redis = RedisProcess.start();
             RespTestClient client = new RespTestClient(redis.connect(60_000))) {
            for (int base = 0; base < count; base += BATCH) {
                int n = Math.min(BATCH, count - base);
                List<List<String>> rules = new ArrayList<>();
                List<List<String>> commands = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    List<String> c = command(random);
                    List<String> r = rules(random);
                    if (random.nextInt(10) < 4) {
                        r.add(random.nextInt(Math.min(3, r.size() + 1)), allowing(table, c, random));
                    }
                    rules.add(r);
                    commands.add(c);
                    String user = "u" + (base + i);
                    List<String> setuser = new ArrayList<>(List.of("ACL", "SETUSER", user, "reset", "on", "nopass"));
                    for (String token : r) {
                        setuser.addAll(Arrays.asList(token.split(" ")));
                    }
                    client.send(setuser);
                    List<String> dryrun = new ArrayList<>(List.of("ACL", "DRYRUN", user));
                    dryrun.addAll(c);
                    client.send(dryrun);
                }
                client.flush();
                for (int i = 0; i < n; i++) {
                    tried++;
                    Object setReply = client.read();
                    Object dryReply = client.read();
                    String ruleText = "reset on nopass " + String.join(" ", rules.get(i));
                    String caseText = "rules [" + ruleText + "] command " + commands.get(i);
                    AclRules parsed;
                    try {
                        parsed = AclRules.parse(ruleText, table);
                    } catch (AclRuleException e) {
                        if (setReply instanceof RespTestClient.Error) {
                            rejectedByBoth++;
                        } else {
                            failures.add(caseText + ": redis accepted the rules, parser rejected: " + e.getMessage());
                        }
                        continue;
                    }
                    if (setReply instanceof RespTestClient.Error) {
                        failures.add(caseText + ": redis rejected the rules (" + setReply + "), parser accepted");
                        continue;
                    }
                    if (dryReply instanceof RespTestClient.Error) {
                        redisErrors++;
                        failures.add(caseText + ": redis could not dry-run it: " + dryReply);
                        continue;
                    }
                    String ours = decide(table, parsed.compile(), commands.get(i), denials);
                    String theirs = dryrunAnswer((String) dryReply);
                    if (ours.equals("allowed")) {
                        allowed++;
                    }
                    if (!ours.equals(theirs)) {
                        failures.add(caseText + ": redis " + theirs + ", ours " + ours);
                    }
                }
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("ACL differential vs redis-server: %d pairs tried, %d rule sets rejected by both, "
                        + "%d compared (%d allowed, denied: %d command, %d key, %d channel, %d malformed), "
                        + "%d redis errors, %d differences, %d ms%n",
                tried, rejectedByBoth, tried - rejectedByBoth, allowed,
                denials[AclVerdict.Kind.COMMAND.ordinal()], denials[AclVerdict.Kind.KEY.ordinal()],
                denials[AclVerdict.Kind.CHANNEL.ordinal()], denials[AclVerdict.Kind.MALFORMED.ordinal()],
                redisErrors, failures.size(), millis);
        assertTrue(failures.isEmpty(), failures.size() + " differences, first ones:\n"
                + String.join("\n", failures.subList(0, Math.min(25, failures.size()))));
        assertEquals(count, tried);
    }

    /** Our answer in the words we compare: allowed, command, key 'name', channel 'name'. */
    private static String decide(CommandTable table, CompiledAcl acl, List<String> argv, int[] denials) {
        CommandFrame frame = frame(argv);
        try {
            CommandSpec spec = table.lookup(frame);
            if (spec == null) {
                return "unknown command";
            }
            AclVerdict v = acl.check(spec, frame);
            if (v.allowed()) {
                return "allowed";
            }
            denials[v.kind().ordinal()]++;
            switch (v.kind()) {
                case COMMAND:
                    return "command '" + spec.name() + "'";
                case KEY:
                    return "key '" + frame.argToString(v.argIndex()) + "'";
                case CHANNEL:
                    return "channel '" + frame.argToString(v.argIndex()) + "'";
                default:
                    return v.kind().toString();
            }
        } finally {
            frame.release();
        }
    }

    private static String dryrunAnswer(String reply) {
        if (reply.equals("OK")) {
            return "allowed";
        }
        String cmd = "This user has no permissions to run the ";
        String access = "This user has no permissions to access the ";
        if (reply.startsWith(cmd)) {
            return "command " + reply.substring(cmd.length(), reply.length() - " command".length());
        }
        if (reply.startsWith(access) && reply.endsWith(" key")) {
            return "key " + reply.substring(access.length(), reply.length() - " key".length());
        }
        if (reply.startsWith(access) && reply.endsWith(" channel")) {
            return "channel " + reply.substring(access.length(), reply.length() - " channel".length());
        }
        return "unparsed: " + reply;
    }

    /** A multibulk frame of {@code argv}, as the request decoder would produce it. */
    static CommandFrame frame(List<String> argv) {
        ByteBuf buf = Unpooled.buffer();
        int[] spans = new int[argv.size() * 2];
        buf.writeBytes(("*" + argv.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < argv.size(); i++) {
            byte[] a = argv.get(i).getBytes(StandardCharsets.ISO_8859_1);
            buf.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            spans[i * 2] = buf.writerIndex();
            spans[i * 2 + 1] = a.length;
            buf.writeBytes(a);
            buf.writeBytes(new byte[] {'\r', '\n'});
        }
        return new CommandFrame(buf, spans, argv.size(), false);
    }

    // ---------------------------------------------------------------- generators

    private static <T> T pick(Random r, T[] a) {
        return a[r.nextInt(a.length)];
    }

    private static List<String> rules(Random r) {
        List<String> out = new ArrayList<>();
        int shape = r.nextInt(10);
        if (shape < 2) {
            out.add("+@all");
            out.add("-@" + pick(r, CATEGORIES));
        } else if (shape < 3) {
            out.add("allcommands");
        }
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            out.add(rule(r, true));
        }
        if (r.nextInt(3) == 0) {
            int selectors = 1 + r.nextInt(2);
            for (int s = 0; s < selectors; s++) {
                List<String> inner = new ArrayList<>();
                int m = 1 + r.nextInt(4);
                for (int i = 0; i < m; i++) {
                    inner.add(rule(r, false));
                }
                out.add("(" + String.join(" ", inner) + ")");
            }
        }
        if (r.nextInt(25) == 0) {
            out.add(r.nextBoolean() ? "clearselectors" : "reset");
            out.add(rule(r, true));
        }
        return out;
    }

    private static String rule(Random r, boolean userLevel) {
        int k = r.nextInt(100);
        if (k < 3) {
            return pick(r, INVALID_RULES);
        }
        if (k < 30) {
            return (r.nextBoolean() ? "+" : "-") + pick(r, COMMAND_RULES);
        }
        if (k < 45) {
            return (r.nextInt(3) == 0 ? "-@" : "+@") + pick(r, CATEGORIES);
        }
        if (k < 48) {
            return "+" + pick(r, FIRST_ARG_RULES);
        }
        if (k < 70) {
            String p = pick(r, KEY_PATTERNS);
            switch (r.nextInt(5)) {
                case 0: return "%R~" + p;
                case 1: return "%W~" + p;
                case 2: return "%RW~" + p;
                default: return "~" + p;
            }
        }
        if (k < 74) {
            return pick(r, new String[] {"allkeys", "resetkeys", "~*", "nocommands", "allcommands", "-@all"});
        }
        if (k < 88) {
            return "&" + pick(r, CHANNEL_PATTERNS);
        }
        if (k < 92) {
            return pick(r, new String[] {"allchannels", "resetchannels", "&*"});
        }
        if (userLevel) {
            return pick(r, new String[] {"on", "off", "nopass", "resetpass",
                "#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "sanitize-payload"});
        }
        return "+@" + pick(r, CATEGORIES);
    }

    /** A rule that allows {@code argv}'s command: by name, or through one of its categories. */
    private static String allowing(CommandTable table, List<String> argv, Random r) {
        CommandFrame frame = frame(argv);
        try {
            CommandSpec spec = table.lookup(frame);
            List<String> cats = new ArrayList<>();
            for (io.respgate.policy.command.AclCategory c : io.respgate.policy.command.AclCategory.values()) {
                if ((spec.categories() & c.bit()) != 0) {
                    cats.add(c.aclName());
                }
            }
            if (cats.isEmpty() || r.nextBoolean()) {
                return "+" + spec.name();
            }
            return "+@" + cats.get(r.nextInt(cats.size()));
        } finally {
            frame.release();
        }
    }

    private static List<String> command(Random r) {
        String k1 = pick(r, KEYS);
        String k2 = pick(r, KEYS);
        String k3 = pick(r, KEYS);
        String ch = pick(r, CHANNELS);
        String ch2 = pick(r, CHANNELS);
        switch (r.nextInt(48)) {
            case 0: return List.of("GET", k1);
            case 1: return List.of("SET", k1, "v");
            case 2: return List.of("MGET", k1, k2, k3);
            case 3: return List.of("MSET", k1, "v", k2, "v");
            case 4: return List.of("DEL", k1, k2);
            case 5: return List.of("RENAME", k1, k2);
            case 6: return List.of("LMOVE", k1, k2, "LEFT", "RIGHT");
            case 7: return List.of("COPY", k1, k2);
            case 8: return List.of("SORT", k1);
            case 9: return List.of("SORT", k1, "STORE", k2);
            case 10: return List.of("EVAL", "return 1", "2", k1, k2, "arg");
            case 11: return List.of("ZUNIONSTORE", k1, "2", k2, k3);
            case 12: return List.of("XREAD", "COUNT", "1", "STREAMS", k1, k2, "0", "0");
            case 13: return List.of("HSET", k1, "f", "v");
            case 14: return List.of("LPUSH", k1, "v");
            case 15: return List.of("SADD", k1, "m");
            case 16: return List.of("INCR", k1);
            case 17: return List.of("EXISTS", k1, k2);
            case 18: return List.of("OBJECT", "ENCODING", k1);
            case 19: return List.of("CONFIG", "GET", "maxmemory");
            case 20: return List.of("CONFIG", "SET", "maxmemory", "0");
            case 21: return List.of("CLIENT", "ID");
            case 22: return List.of("PUBLISH", ch, "m");
            case 23: return List.of("SUBSCRIBE", ch, ch2);
            case 24: return List.of("PSUBSCRIBE", ch, ch2);
            case 25: return List.of("SSUBSCRIBE", ch);
            case 26: return List.of("SPUBLISH", ch, "m");
            case 27: return List.of("UNSUBSCRIBE", ch);
            case 28: return List.of("PING");
            case 29: return List.of("SELECT", r.nextBoolean() ? "0" : "1");
            case 30: return List.of("DEBUG", r.nextBoolean() ? "OBJECT" : "object", k1);
            case 31: return List.of("FLUSHALL");
            case 32: return List.of("KEYS", "*");
            case 33: return List.of("BITOP", "AND", k1, k2, k3);
            case 34: return List.of("GEORADIUS", k1, "0", "0", "1", "km", "STORE", k2);
            case 35: return List.of("MIGRATE", "127.0.0.1", "1", "", "0", "5000", "KEYS", k1, k2);
            case 36: return List.of("MEMORY", "USAGE", k1);
            case 37: return List.of("ACL", "WHOAMI");
            case 38: return List.of("XADD", k1, "*", "f", "v");
            case 39: return List.of("AUTH", "user", "pass");
            case 40: return List.of("GETDEL", k1);
            case 41: return List.of("SMOVE", k1, k2, "m");
            case 42: return List.of("PFMERGE", k1, k2);
            case 43: return List.of("BLPOP", k1, k2, "0");
            case 44: return List.of("SORT_RO", k1);
            case 45: return List.of("XREADGROUP", "GROUP", "g", "c", "STREAMS", k1, "0");
            case 46: return List.of("CLIENT", "KILL", "ID", "1");
            default: return List.of("APPEND", k1, "v");
        }
    }
}
