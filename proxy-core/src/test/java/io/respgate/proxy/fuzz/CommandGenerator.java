package io.respgate.proxy.fuzz;

import io.respgate.codec.testing.RespRequests;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Well-formed command streams from a deterministic subset of Redis: strings, counters, lists, hashes,
 * sets, sorted sets, keyspace commands, MULTI/EXEC/DISCARD/WATCH, PING/ECHO/SELECT, plus the errors
 * Redis answers the same way every time (wrong arity, unknown commands and subcommands, WRONGTYPE,
 * bad numbers, errors while queueing in MULTI). Keys come from a small pool so that types collide.
 *
 * <p>Left out because their replies differ between two servers fed the same commands: anything
 * random (RANDOMKEY, SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER), time (TIME, TTL, OBJECT), server
 * state (INFO, CLIENT, CONFIG GET, DEBUG), iteration order of hash tables, which Redis seeds at random
 * per process (SMEMBERS, HGETALL, HKEYS, HVALS, KEYS, SCAN and the set algebra that returns members),
 * blocking commands without a short timeout, counts of subscribers across connections (PUBSUB), and
 * commands RespGate refuses inside MULTI by design (SELECT, HELLO, the SUBSCRIBE family). Pub/sub,
 * CLIENT REPLY OFF/ON/SKIP and blocking commands with a 10 ms timeout are in. Every MULTI is closed by
 * EXEC or DISCARD, and a stream that subscribed or changed CLIENT REPLY ends with RESET, so a sentinel
 * sent after the stream is answered, not queued or swallowed.
 *
 * <p>Each command is written as multibulk or, one time in four, in one of the inline spellings
 * ({@link RespRequests#inline}); values include the empty string, CR, LF and NUL, edge-case numbers
 * and, now and then, large strings.
 */
final class CommandGenerator {
    /** A generated stream: its bytes and how many commands it holds. */
    record Stream(byte[] bytes, int commands, boolean endsWithQuit) {
    }

    private static final String[] KEYS = {"k:a", "k:b", "k:c", "n", "l", "h", "s", "z", "{t}x", "",
        "key with space", "bin\u0000\r\nkey"};
    private static final String[] NUMBERS = {"0", "1", "-1", "10", "255", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "1.5", "1e3", " 1", "01", "", "abc", "-0", "+1"};
    private static final String[] FLOATS = {"0.1", "-1.5", "1e2", "3", "inf", "-inf", "+inf", "nan", "1.7976931348623157e308",
        "abc", "", "0x10", "5.0e-3"};
    private static final String[] SCORES = {"1", "-2.5", "+inf", "-inf", "1e10", "0.1", "0", "nan", "(1", "abc", "3"};
    private static final String[] LEX = {"-", "+", "[a", "(b", "[", "a", "[k:a"};
    /** Unknown names; none is a real name followed by a NUL, which Redis resolves by chance (see REDIS_NUL_NAME). */
    private static final String[] UNKNOWN = {"NOSUCH", "foo", "GETT", "s3t", "\u00e9cho", "", "x\u0000y", "MULTIX"};
    private static final String[] CONTAINERS = {"CONFIG", "object", "XINFO", "Function", "SCRIPT", "memory",
        "ACL", "cluster", "COMMAND"};

    private final Random r;
    private final int maxValue;
    private final boolean forMutation;
    /** Channel name prefix, unique to the case. */
    private final String channels;
    private int selectedDb;
    private boolean subscribed;
    private boolean repliesChanged;

    /**
     * @param maxValue    largest value written; kept small for streams that will be mutated, so that no
     *                    inline line grows past the 64 KiB Redis decides by how much it happened to read
     * @param forMutation the stream will be mutated: leave out HELLO with a bad option, which a mutation
     *                    could turn into a valid HELLO, whose reply holds the connection's id
     */
    CommandGenerator(Random r, int maxValue, boolean forMutation, int caseIndex) {
        this.r = r;
        this.maxValue = maxValue;
        this.forMutation = forMutation;
        this.channels = "ch" + caseIndex + ":";
    }

    /**
     * A stream of about {@code size} commands, each multibulk or inline, MULTI blocks closed. If it
     * subscribed or turned replies off, it ends with RESET, so that what follows is answered normally.
     */
    Stream stream(int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int commands = 0;
        boolean quit = false;
        while (commands < size) {
            int pick = r.nextInt(100);
            if (pick < 8) {
                commands += transaction(out);
            } else if (pick < 9 && commands + 1 >= size && !repliesChanged) {
                // Not after CLIENT REPLY OFF: Redis 7.0 then leaves the connection open after QUIT (no reply
                // to write, so the close-after-reply never happens), where RespGate closes it.
                write(out, args("QUIT"));
                commands++;
                quit = true;
                break;
            } else if (pick < 13) {
                boolean clientReply = r.nextInt(4) == 0;
                write(out, clientReply ? clientReply() : pubSub());
                commands++;
            } else if (pick < 14) {
                write(out, blocking());
                commands++;
            } else {
                write(out, command());
                commands++;
            }
        }
        if (!quit && (subscribed || repliesChanged)) {
            write(out, args("RESET"));
            commands++;
        }
        return new Stream(out.toByteArray(), commands, quit);
    }

    /**
     * SUBSCRIBE and friends on channels named after the case, so that a subscriber left over from an
     * earlier case (its connection still closing) counts for no PUBLISH; PING and other commands while
     * subscribed (refused by Redis in RESP2, allowed in RESP3).
     */
    private List<byte[]> pubSub() {
        String channel = channels + pick(new String[] {"a", "b", "c"});
        List<byte[]> c = switch (r.nextInt(9)) {
            case 0, 1 -> args(pick(new String[] {"SUBSCRIBE", "SSUBSCRIBE"}), channel, channels + "b");
            case 2 -> args("PSUBSCRIBE", channels + "*", channels + "?");
            // Without arguments only PUNSUBSCRIBE: Redis unsubscribes from all channels in the order of a
            // hash table it seeds at random per process (the fuzzer also accepts such runs in any order).
            case 3 -> r.nextBoolean() ? args("PUNSUBSCRIBE")
                    : args(pick(new String[] {"UNSUBSCRIBE", "SUNSUBSCRIBE"}), channel);
            case 4 -> args("PUNSUBSCRIBE", channels + "*");
            case 5, 6 -> args(pick(new String[] {"PUBLISH", "SPUBLISH"}), channel, value());
            case 7 -> r.nextBoolean() ? args("PING") : args("PING", "hi");
            default -> command();
        };
        String name = new String(c.get(0), StandardCharsets.ISO_8859_1).toUpperCase();
        subscribed |= name.endsWith("SUBSCRIBE");
        return c;
    }

    private List<byte[]> clientReply() {
        repliesChanged = true;
        return args("CLIENT", "REPLY", pick(new String[] {"OFF", "ON", "SKIP", "on", "FOO"}));
    }

    /** Blocking commands with a 10 ms timeout: they answer at once, or with a null after the timeout. */
    private List<byte[]> blocking() {
        return switch (r.nextInt(4)) {
            case 0 -> args("BLPOP", key(), key(), "0.01");
            case 1 -> args("BRPOP", key(), "0.01");
            case 2 -> args("BLMOVE", key(), key(), "LEFT", "RIGHT", "0.01");
            default -> args("BZPOPMIN", key(), "0.01");
        };
    }

    /** MULTI, a few commands (some of them errors while queueing), then EXEC or DISCARD. */
    private int transaction(ByteArrayOutputStream out) {
        int n = 0;
        if (r.nextInt(4) == 0) {
            write(out, args("WATCH", key()));
            n++;
        }
        write(out, args("MULTI"));
        n++;
        for (int i = r.nextInt(6); i > 0; i--) {
            List<byte[]> c = r.nextInt(10) == 0 ? args(pick(new String[] {"MULTI", "WATCH", "UNWATCH"}), key())
                    : command();
            String name = new String(c.get(0), StandardCharsets.ISO_8859_1).toUpperCase();
            if (name.equals("SELECT") || name.equals("HELLO") || name.equals("RESET")) {
                continue; // RespGate refuses SELECT and HELLO in MULTI by design; RESET would end the MULTI
            }
            if (r.nextInt(12) == 0) {
                c = blocking(); // does not block inside MULTI
            }
            write(out, c);
            n++;
        }
        write(out, args(r.nextInt(5) == 0 ? "DISCARD" : pick(new String[] {"EXEC", "exec", "Exec"})));
        return n + 1;
    }

    private void write(ByteArrayOutputStream out, List<byte[]> args) {
        int size = 0;
        for (byte[] a : args) {
            size += a.length;
        }
        if (r.nextInt(4) == 0 && size < 16 * 1024 && args.get(0).length > 0) {
            out.writeBytes(RespRequests.inline(args, r));
        } else {
            out.writeBytes(RespRequests.multibulk(args));
        }
    }

    /** One command outside MULTI. */
    List<byte[]> command() {
        return switch (r.nextInt(12)) {
            case 0, 1 -> string();
            case 2 -> counter();
            case 3 -> list();
            case 4 -> hash();
            case 5 -> set();
            case 6 -> zset();
            case 7, 8 -> keyspace();
            case 9 -> misc();
            case 10 -> error();
            default -> r.nextBoolean() ? string() : keyspace();
        };
    }

    private List<byte[]> string() {
        return switch (r.nextInt(16)) {
            case 0, 1 -> {
                List<byte[]> a = args("SET", key(), value());
                if (r.nextInt(4) == 0) {
                    a.add(bytes(pick(new String[] {"NX", "XX", "GET", "KEEPTTL", "nx", "EX", "PX"})));
                    if (r.nextInt(3) == 0) {
                        a.add(bytes(pick(new String[] {"100000000", "0", "-1", "abc", "GET"}))); // no expiry within a run
                    }
                }
                yield a;
            }
            case 2, 3 -> args("GET", key());
            case 4 -> args("GETSET", key(), value());
            case 5 -> args("GETDEL", key());
            case 6 -> args("GETRANGE", key(), number(), number());
            case 7 -> args("SETRANGE", key(), Integer.toString(r.nextInt(300) - 5), value());
            case 8 -> args("STRLEN", key());
            case 9 -> args("APPEND", key(), value());
            case 10 -> args("MSET", key(), value(), key(), value());
            case 11 -> args("MGET", key(), key(), key());
            case 12 -> args("MSETNX", key(), value(), key(), value());
            case 13 -> args("SETNX", key(), value());
            case 14 -> args("GETEX", key(), "PERSIST");
            default -> args("SUBSTR", key(), number(), number());
        };
    }

    private List<byte[]> counter() {
        return switch (r.nextInt(6)) {
            case 0 -> args("INCR", key());
            case 1 -> args("INCRBY", key(), number());
            case 2 -> args("DECR", key());
            case 3 -> args("DECRBY", key(), number());
            case 4 -> args("INCRBYFLOAT", key(), pick(FLOATS));
            default -> args("SET", key(), number());
        };
    }

    private List<byte[]> list() {
        return switch (r.nextInt(16)) {
            case 0, 1 -> withValues(args(pick(new String[] {"LPUSH", "RPUSH"}), key()), 1 + r.nextInt(4));
            case 2 -> args(pick(new String[] {"LPUSHX", "RPUSHX"}), key(), value());
            case 3 -> r.nextBoolean() ? args("LPOP", key()) : args("LPOP", key(), number());
            case 4 -> r.nextBoolean() ? args("RPOP", key()) : args("RPOP", key(), number());
            case 5, 6 -> args("LRANGE", key(), number(), number());
            case 7 -> args("LLEN", key());
            case 8 -> args("LINDEX", key(), number());
            case 9 -> args("LSET", key(), number(), value());
            case 10 -> args("LINSERT", key(), pick(new String[] {"BEFORE", "AFTER", "middle"}), value(), value());
            case 11 -> args("LREM", key(), number(), value());
            case 12 -> args("LTRIM", key(), number(), number());
            case 13 -> args("LPOS", key(), value(), "RANK", pick(new String[] {"1", "-1", "0", "2"}));
            case 14 -> args("LMOVE", key(), key(), pick(new String[] {"LEFT", "RIGHT"}), pick(new String[] {"LEFT", "RIGHT", "UP"}));
            default -> args("RPOPLPUSH", key(), key());
        };
    }

    private List<byte[]> hash() {
        return switch (r.nextInt(11)) {
            case 0, 1 -> args("HSET", key(), field(), value(), field(), value());
            case 2 -> args("HGET", key(), field());
            case 3 -> args("HMGET", key(), field(), field(), field());
            case 4 -> args("HDEL", key(), field());
            case 5 -> args("HLEN", key());
            case 6 -> args("HEXISTS", key(), field());
            case 7 -> args("HINCRBY", key(), field(), number());
            case 8 -> args("HINCRBYFLOAT", key(), field(), pick(FLOATS));
            case 9 -> args("HSETNX", key(), field(), value());
            default -> args("HSTRLEN", key(), field());
        };
    }

    private List<byte[]> set() {
        return switch (r.nextInt(10)) {
            case 0, 1 -> withValues(args("SADD", key()), 1 + r.nextInt(4));
            case 2 -> args("SREM", key(), member());
            case 3 -> args("SCARD", key());
            case 4 -> args("SISMEMBER", key(), member());
            case 5 -> args("SMISMEMBER", key(), member(), member());
            case 6 -> args("SMOVE", key(), key(), member());
            case 7 -> args("SINTERCARD", "2", key(), key());
            default -> args(pick(new String[] {"SUNIONSTORE", "SINTERSTORE", "SDIFFSTORE"}), key(), key(), key());
        };
    }

    private List<byte[]> zset() {
        return switch (r.nextInt(16)) {
            case 0, 1, 2 -> {
                List<byte[]> a = args("ZADD", key());
                if (r.nextInt(4) == 0) {
                    a.add(bytes(pick(new String[] {"NX", "XX", "GT", "LT", "CH", "INCR"})));
                }
                for (int i = 1 + r.nextInt(3); i > 0; i--) {
                    a.add(bytes(pick(SCORES)));
                    a.add(member());
                }
                yield a;
            }
            case 3 -> args("ZSCORE", key(), member());
            case 4 -> args("ZINCRBY", key(), pick(SCORES), member());
            case 5 -> args("ZCARD", key());
            case 6 -> args("ZCOUNT", key(), pick(SCORES), pick(SCORES));
            case 7 -> r.nextBoolean() ? args("ZRANGE", key(), "0", "-1", "WITHSCORES")
                    : args("ZRANGE", key(), number(), number(), "REV");
            case 8 -> args("ZRANGEBYSCORE", key(), pick(SCORES), pick(SCORES), "WITHSCORES", "LIMIT", "0", number());
            case 9 -> args(pick(new String[] {"ZRANK", "ZREVRANK"}), key(), member());
            case 10 -> args("ZREM", key(), member(), member());
            case 11 -> r.nextBoolean() ? args(pick(new String[] {"ZPOPMIN", "ZPOPMAX"}), key())
                    : args(pick(new String[] {"ZPOPMIN", "ZPOPMAX"}), key(), number());
            case 12 -> args(pick(new String[] {"ZRANGEBYLEX", "ZLEXCOUNT"}), key(), pick(LEX), pick(LEX));
            case 13 -> args("ZMSCORE", key(), member(), member());
            case 14 -> args(pick(new String[] {"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"}), key(), "2", key(), key());
            default -> args("ZRANGESTORE", key(), key(), "0", "-1");
        };
    }

    private List<byte[]> keyspace() {
        return switch (r.nextInt(13)) {
            case 0, 1 -> args("EXISTS", key(), key());
            case 2, 3 -> args("DEL", key());
            case 4 -> args("UNLINK", key(), key());
            case 5, 6 -> args("TYPE", key());
            case 7 -> args("RENAME", key(), key());
            case 8 -> args("RENAMENX", key(), key());
            case 9 -> r.nextBoolean() ? args("COPY", key(), key()) : args("COPY", key(), key(), "REPLACE");
            case 10 -> args("TOUCH", key(), key());
            case 11 -> args("DBSIZE");
            default -> r.nextBoolean() ? args("EXPIRE", key(), "100000") : args("PERSIST", key());
        };
    }

    private List<byte[]> misc() {
        return switch (r.nextInt(9)) {
            case 0 -> args("PING");
            case 1 -> args("PING", value());
            case 2, 3 -> args("ECHO", value());
            case 4 -> {
                selectedDb = r.nextInt(3) == 0 ? 1 : 0;
                yield args("SELECT", Integer.toString(selectedDb));
            }
            case 5 -> args("SELECT", pick(new String[] {"99", "-1", "abc"}));
            case 6 -> args(pick(new String[] {"UNWATCH", "EXEC", "DISCARD"}));
            case 7 -> args("FLUSHDB");
            default -> args("RESET");
        };
    }

    /** Errors Redis words the same way every time; RespGate words some of them itself. */
    private List<byte[]> error() {
        if (!forMutation && r.nextInt(7) == 0) {
            return r.nextBoolean() ? args("HELLO", pick(new String[] {"4", "abc", "-1", "1", "0", "99999999999999999999"}))
                    : args("HELLO", pick(new String[] {"2", "3"}), pick(new String[] {"NOSUCH", "SETNAME", "AUTH", "a b",
                        "x\r\ny", "\u00e9", "\u00c3\u00a9", "a\u0000b"}));
        }
        return switch (r.nextInt(6)) {
            case 0 -> args(pick(new String[] {"GET", "SET", "incr", "LPUSH", "HSET", "ZADD", "ECHO", "EXISTS"}));
            case 1 -> args("GET", key(), key());
            case 2 -> withValues(args(pick(UNKNOWN)), r.nextInt(4));
            case 3 -> args(pick(CONTAINERS), pick(new String[] {"NOSUCH", "x", "", "\u0000help", "\u00ff"}));
            case 4 -> args("INCR", pick(new String[] {"l", "h", "s"}));
            default -> args("LPUSH", pick(new String[] {"k:a", "n"}), value());
        };
    }

    // ---------------------------------------------------------------------------------- values

    private String key() {
        return pick(KEYS);
    }

    private byte[] field() {
        return bytes(pick(new String[] {"f", "g", "", "field:1", "\u0000", "f\r\n"}));
    }

    private byte[] member() {
        return r.nextInt(3) == 0 ? bytes(Integer.toString(r.nextInt(5))) : bytes(pick(new String[] {"a", "b", "c", "", "m\r\n"}));
    }

    private String number() {
        return r.nextInt(3) == 0 ? pick(NUMBERS) : Integer.toString(r.nextInt(21) - 10);
    }

    /** Empty, short text, edge-case numbers, binary with CR LF NUL, sometimes large. */
    byte[] value() {
        int pick = r.nextInt(20);
        if (pick < 3) {
            return new byte[0];
        }
        if (pick < 9) {
            return bytes(pick(new String[] {"v", "hello world", "0", "-1", "3.14", "a\"b'c", "\\x41", "with\ttab",
                "\u00e9t\u00e9", "*1", "$3", "+OK", "-ERR x", ":1"}));
        }
        if (pick < 12) {
            return bytes(pick(NUMBERS));
        }
        int length = pick < 18 ? r.nextInt(40) : r.nextInt(Math.max(1, maxValue));
        byte[] b = new byte[length];
        byte[] special = {'\r', '\n', 0, '"', '\'', '\\', ' ', '*', '$'};
        for (int i = 0; i < length; i++) {
            b[i] = r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : (byte) (r.nextBoolean() ? 'a' + r.nextInt(26) : r.nextInt(256));
        }
        return b;
    }

    private List<byte[]> withValues(List<byte[]> a, int n) {
        for (int i = 0; i < n; i++) {
            a.add(r.nextInt(3) == 0 ? member() : value());
        }
        return a;
    }

    private String pick(String[] choices) {
        return choices[r.nextInt(choices.length)];
    }

    private List<byte[]> args(Object... words) {
        List<byte[]> a = new ArrayList<>(words.length + 4);
        for (Object w : words) {
            byte[] b = w instanceof byte[] bytes ? bytes : bytes((String) w);
            a.add(r.nextInt(8) == 0 && a.isEmpty() ? mixedCase(b) : b);
        }
        return a;
    }

    private byte[] mixedCase(byte[] name) {
        byte[] out = name.clone();
        for (int i = 0; i < out.length; i++) {
            if (r.nextBoolean() && out[i] >= 'A' && out[i] <= 'Z') {
                out[i] += 32;
            }
        }
        return out;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
