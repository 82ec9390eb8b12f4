package io.respgate.policy.command;

import io.respgate.codec.CommandFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link CommandSpec#forEachKey} against the live server's {@code COMMAND GETKEYSANDFLAGS}, which
 * runs the same key extraction ({@code getKeysFromCommandWithSpecs}) as Redis's ACL check: the same
 * keys in the same order with the same flags. Where Redis reports an error or no key (no keys, or a
 * malformed command), forEachKey must visit nothing (or return false, so the caller denies).
 */
class KeyExtractionRedisTest {
    private static LiveRedis redis;
    private static final CommandTable TABLE = CommandTable.redis70();

    @BeforeAll
    static void start() throws IOException {
        redis = LiveRedis.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (redis != null) {
            redis.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET k1", "SET k1 v", "SET k1 v GET", "SET k1 v EX 10 GET", "set k1 v get", "SET k1 v NX",
        "SET k1 get", "GETSET k1 v", "GETDEL k1", "GETEX k1 EX 10", "INCR k1", "APPEND k1 v", "SETRANGE k1 0 v",
        "MSET k1 v1 k2 v2 k3 v3", "MGET k1 k2 k3", "MSETNX k1 v1 k2 v2",
        "RENAME src dst", "RENAMENX src dst", "COPY src dst", "COPY src dst DB 1 REPLACE",
        "LMOVE src dst LEFT RIGHT", "BLMOVE src dst LEFT RIGHT 0", "RPOPLPUSH src dst", "BRPOPLPUSH src dst 0",
        "SMOVE src dst m", "LINSERT l1 BEFORE a b", "LPOS l1 x", "BLPOP l1 l2 0", "BRPOP l1 0", "BZPOPMIN z1 z2 0",
        "ZUNIONSTORE dst 2 z1 z2", "ZUNIONSTORE dst 2 z1 z2 WEIGHTS 1 2 AGGREGATE MAX", "ZINTERSTORE dst 1 z1",
        "ZDIFFSTORE dst 2 z1 z2", "ZUNION 2 z1 z2", "ZINTER 3 z1 z2 z3 WITHSCORES", "ZDIFF 1 z1",
        "ZINTERCARD 2 z1 z2 LIMIT 5", "ZRANGESTORE dst src 0 -1", "ZADD z1 1 a", "ZRANGE z1 0 -1",
        "EVAL script 2 k1 k2 a1 a2", "EVAL script 0", "EVAL script 0 a1 a2", "EVALSHA sha 1 k1 a1",
        "EVAL_RO script 1 k1", "EVALSHA_RO sha 2 k1 k2", "FCALL fn 2 k1 k2 a1", "FCALL fn 0", "FCALL_RO fn 1 k1",
        "XREAD STREAMS s1 s2 0 0", "XREAD COUNT 5 BLOCK 10 STREAMS s1 0", "XREAD STREAMS s1 0 1",
        "XREADGROUP GROUP g c STREAMS s1 s2 > >", "XREADGROUP GROUP g c COUNT 1 NOACK STREAMS s1 >",
        "XREADGROUP GROUP streams c STREAMS s1 >",
        "MIGRATE host 6379 k1 0 5000", "MIGRATE host 6379 k1 0 5000 COPY",
        "MIGRATE host 6379 '' 0 5000 KEYS k1 k2 k3", "MIGRATE host 6379 '' 0 5000 COPY REPLACE AUTH pw KEYS k1 k2",
        "MIGRATE host 6379 '' 0 5000 AUTH2 user pw KEYS k1", "MIGRATE host 6379 '' 0 5000 KEYS k1 KEYS k2",
        "SORT src", "SORT src STORE dst", "SORT src BY w_* GET o_* STORE dst",
        "SORT src LIMIT 0 10 ALPHA DESC STORE dst", "SORT src STORE d1 STORE d2", "SORT_RO src BY w_* GET #",
        "SORT_RO src", "SORT src GET store STORE dst",
        "GEORADIUS src 15 37 200 km", "GEORADIUS src 15 37 200 km STORE dst",
        "GEORADIUS src 15 37 200 km STOREDIST dst", "GEORADIUS src 15 37 200 km WITHDIST COUNT 5 ASC STORE dst",
        "GEORADIUSBYMEMBER src m 200 km STORE dst", "GEORADIUSBYMEMBER src m 200 km STOREDIST dst",
        "GEORADIUSBYMEMBER src m 200 km", "GEORADIUS_RO src 15 37 200 km",
        "GEORADIUS src 15 37 200 km STORE d1 STOREDIST d2",
        "GEOSEARCHSTORE dst src FROMMEMBER m BYRADIUS 10 km", "GEOSEARCH src FROMMEMBER m BYRADIUS 10 km",
        "GEOADD g1 1 2 m", "GEODIST g1 a b",
        "OBJECT ENCODING k1", "OBJECT FREQ k1", "object encoding k1", "XINFO STREAM s1", "XINFO GROUPS s1",
        "XINFO CONSUMERS s1 g", "MEMORY USAGE k1", "MEMORY USAGE k1 SAMPLES 5",
        "BITOP AND dst k1 k2 k3", "BITOP NOT dst k1", "BITCOUNT k1", "BITFIELD k1 GET u8 0",
        "BITFIELD k1 SET u8 0 1", "BITFIELD k1 GET u8 0 INCRBY u8 0 1", "BITFIELD k1 OVERFLOW SAT GET u8 0",
        "BITFIELD k1", "BITFIELD k1 GET u8", "BITFIELD_RO k1 GET u8 0", "LCS k1 k2",
        "LMPOP 2 l1 l2 LEFT", "LMPOP 1 l1 RIGHT COUNT 2", "ZMPOP 2 z1 z2 MIN", "BLMPOP 0 2 l1 l2 LEFT",
        "BZMPOP 0 1 z1 MAX", "SINTERCARD 2 s1 s2", "SINTERCARD 1 s1 LIMIT 3",
        "SINTERSTORE dst s1 s2", "SUNIONSTORE dst s1", "SDIFF s1 s2", "SDIFFSTORE dst s1 s2",
        "PFMERGE dst h1 h2", "PFCOUNT h1 h2", "PFADD h1 a",
        "DEL k1 k2 k3", "UNLINK k1 k2", "EXISTS k1 k2", "TOUCH k1", "WATCH k1 k2", "TYPE k1", "DUMP k1",
        "RESTORE k1 0 payload", "EXPIRE k1 10", "PEXPIRETIME k1", "HSET h1 f v", "HGETALL h1",
        "XADD s1 * f v", "XGROUP CREATE s1 g $", "XAUTOCLAIM s1 g c 0 0", "XCLAIM s1 g c 0 id",
        "SMISMEMBER s1 a b", "SPOP s1", "SRANDMEMBER s1",
        "SUBSCRIBE ch", "SSUBSCRIBE ch", "PUBLISH ch msg", "SPUBLISH ch msg",
        "CLIENT LIST", "CLIENT KILL ID 1", "CONFIG SET maxmemory 1", "CONFIG GET maxmemory", "PING",
        "SCAN 0", "KEYS *", "RANDOMKEY", "FUNCTION LIST", "SCRIPT EXISTS sha", "OBJECT HELP", "MEMORY DOCTOR",
        "ZUNIONSTORE dst 3 z1 z2", "ZUNION 0 z1", "EVAL script 3 k1", "XREAD STREAMS s1", "XREAD COUNT 1 STREAMS s1 s2 0",
    })
    void sameKeysAsRedis(String line) throws IOException {
        compare(Frames.words(line));
    }

    /**
     * Every command and subcommand of the table with placeholder arguments at its minimum arity and
     * a few more: whatever Redis reports, forEachKey reports the same.
     */
    @Test
    void everyCommandWithPlaceholderArguments() throws IOException {
        int compared = 0;
        for (CommandSpec spec : TABLE.all()) {
            if (!spec.subcommands().isEmpty()) {
                continue;
            }
            int min = Math.abs(spec.arity());
            int[] counts = spec.arity() > 0 ? new int[] {min} : new int[] {min, min + 1, min + 2, min + 5};
            for (int argc : counts) {
                List<String> args = new ArrayList<>();
                for (String part : spec.name().split("\\|")) {
                    args.add(part);
                }
                while (args.size() < argc) {
                    args.add("p" + args.size());
                }
                compare(args.toArray(new String[0]));
                compared++;
            }
        }
        assertTrue(compared > 500, "compared " + compared);
    }

    private static void compare(String[] args) throws IOException {
        String line = String.join(" ", args);
        String[] request = new String[args.length + 2];
        request[0] = "COMMAND";
        request[1] = "GETKEYSANDFLAGS";
        System.arraycopy(args, 0, request, 2, args.length);
        RespValue reply = redis.client.call(request);
        CommandFrame frame = Frames.frame(args);
        try {
            CommandSpec spec = TABLE.lookup(frame);
            assertNotNull(spec, line);
            List<Frames.Key> mine = Frames.keys(spec, frame);
            if (reply instanceof RespValue.Err err) {
                assertTrue(mine == null || mine.isEmpty(),
                        line + ": Redis says " + err.message() + " but forEachKey visited " + render(args, mine));
                return;
            }
            List<String> expected = new ArrayList<>();
            for (RespValue item : reply.items()) {
                expected.add(item.items().get(0).asString() + " " + flagNames(item.items().get(1)));
            }
            if (mine == null && expected.isEmpty()) {
                // Redis checks no key (EVAL with a bad key count answers an empty list); the caller denies.
                return;
            }
            if (mine == null) {
                fail(line + ": forEachKey returned false, Redis reports keys " + expected);
            }
            assertEquals(expected, render(args, mine), line);
        } finally {
            frame.release();
        }
    }

    private static List<String> render(String[] args, List<Frames.Key> keys) {
        List<String> out = new ArrayList<>();
        if (keys != null) {
            for (Frames.Key k : keys) {
                out.add(args[k.index()] + " " + KeyFlags.names(k.flags()));
            }
        }
        return out;
    }

    private static List<String> flagNames(RespValue flags) {
        List<String> out = new ArrayList<>();
        for (RespValue f : flags.items()) {
            out.add(f.asString());
        }
        return out;
    }
}
