package io.respgate.proxy.fuzz;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBufAllocator;
import io.respgate.codec.testing.RedisProcess;
import io.respgate.codec.testing.RespMutations;
import io.respgate.policy.command.CommandTable;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A differential fuzzer: the same byte streams go to a redis-server directly and to RespGate (with the
 * transparent, allow-all policy) in front of a second redis-server started the same way, over raw
 * sockets, and the answers are compared.
 *
 * <p>Inputs, from a seeded PRNG, one case at a time on fresh connections, after {@code FLUSHALL} on
 * both servers ({@link Kind}):
 * <ul>
 *   <li>valid: pipelines of 1 to 2000 well-formed commands ({@link CommandGenerator}), multibulk and
 *       inline, with MULTI/EXEC, pub/sub, CLIENT REPLY, blocking commands with short timeouts, errors Redis
 *       answers deterministically, binary, empty and large values (up to 3 MiB), in RESP2 or RESP3,
 *       written whole, in random chunks or byte by byte; ended by an {@code ECHO} sentinel, by QUIT, or by
 *       closing the write side. The reply bytes must be identical, and afterwards both datasets must have
 *       the same {@code DEBUG DIGEST}.</li>
 *   <li>invalid: such streams mutated byte by byte ({@link RespMutations}: flipped, removed, duplicated
 *       and inserted bytes, wrong lengths and counts, broken CRLF, spliced tokens), truncated (left open,
 *       or followed by a close), and garbage. RespGate must answer exactly as Redis did, or answer the
 *       replies Redis gave up to some point and then {@code -ERR Protocol error...} and close; it never
 *       relays a reply Redis did not give for the same prefix, and never hangs (reads wait at most a few
 *       seconds; a truncated frame leaves both silent, which is compared, then the case closes).</li>
 * </ul>
 * Recognised, counted and printed rather than failed ({@link Outcome}): RespGate's documented differences
 * (refusing input Redis would accept, with the protocol-error rule above; refusing SELECT, SUBSCRIBE and
 * the like inside MULTI) and Redis's own per-process randomness (names with a NUL, the order of some pub/sub
 * replies). Netty leak reports during the run fail the test (paranoid leak detection in the test JVM).
 *
 * <p>In CI it runs for about 20 seconds. A longer run, or one case of an earlier run:
 * <pre>
 * mvn -o test -pl proxy-core -Dtest=DifferentialFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Drespgate.fuzz.seconds=600 [-Drespgate.fuzz.seed=1234] [-Drespgate.fuzz.case=17] \
 *     [-Drespgate.fuzz.dump=/tmp/fuzz]
 * </pre>
 * {@code dump} writes the raw input and outputs of a mismatch to files.
 * The seed and the counts (cases by kind, replies compared, outcomes, mismatches) are printed. A
 * mismatch fails with the seed, the case index, the input and both outputs (escaped), and the input
 * shrunk to a smaller one that still shows it.
 */
class DifferentialFuzzTest {
    private static final long DEFAULT_SECONDS = 20;
    /** Both outputs unchanged this long, and equal (or acceptably different): the case is over. */
    private static final long IDLE_MILLIS = 120;
    /** The longest a case waits for outputs to settle before judging them. */
    private static final long SETTLE_MILLIS = 4_000;
    private static final long VALID_MILLIS = 30_000;
    /** A peer that takes no input for this long is stalled (each side's output is read all the while). */
    private static final long WRITE_SECONDS = 30;
    private static final String[] REDIS_ARGS = {"--enable-debug-command", "yes"};
    private static final CommandTable TABLE = CommandTable.redis70();

    /** How a case's input is made. */
    enum Kind { VALID, VALID_QUIT, VALID_HALF_CLOSE, MUTATED, TRUNCATED_OPEN, TRUNCATED_CLOSED, GARBAGE }

    /** How RespGate's answer compared with Redis's. */
    enum Outcome {
        /** Byte for byte the same, and both closed or both open. */
        IDENTICAL,
        /**
         * The same replies but for runs Redis itself sends in the order of a hash table it seeds at random
         * per process (see {@link #sameUnorderedRun}).
         */
        IDENTICAL_BUT_UNORDERED_RUNS,
        /** Redis's replies up to a point, then RespGate's protocol error and close. */
        PROXY_REFUSED,
        /** RespGate refused a command inside MULTI that it does not allow there (documented). */
        REFUSED_IN_MULTI,
        /**
         * A command or subcommand name with a NUL after a real name ({@code XINFO help\0x}): Redis finds
         * it or not depending on its per-process hash seed (its lookup hashes the whole name but compares
         * up to the NUL), RespGate always answers "unknown". Compared up to that reply.
         */
        REDIS_NUL_NAME,
        /**
         * The input's write side was closed while a large reply was still being written: Redis frees a
         * client as soon as it reads the end of its input, so it sent part of that reply, and RespGate
         * (which relays whole replies only) none of it. The whole replies before it are compared, and
         * must be the same.
         */
        REDIS_CUT_SHORT_AT_HALF_CLOSE,
        MISMATCH
    }

    /**
     * One input: its bytes, how they are written, whether the write side is closed after, for a valid
     * stream ended by an {@code ECHO} the reply that marks the end, and whether it starts with HELLO 3.
     */
    record Case(int index, Kind kind, byte[] input, long chunkSeed, boolean halfClose, byte[] sentinel,
                boolean resp3) {
        boolean expectIdentical() {
            return kind == Kind.VALID || kind == Kind.VALID_QUIT || kind == Kind.VALID_HALF_CLOSE;
        }
    }

    /** What both sides sent back, and the verdict. */
    record Result(Outcome outcome, byte[] direct, boolean directClosed, byte[] proxied, boolean proxiedClosed,
                  int repliesCompared, String note, String signature) {
    }

    private final Map<Kind, Integer> kinds = new EnumMap<>(Kind.class);
    private final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    private long repliesCompared;
    private long bytesSent;
    private ExecutorService threads;

    @Test
    void respGateAnswersEveryStreamAsRedisDoes() throws Exception {
        Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        long seed = Long.getLong("respgate.fuzz.seed", new SecureRandom().nextLong());
        long seconds = Long.getLong("respgate.fuzz.seconds", DEFAULT_SECONDS);
        Integer onlyCase = Integer.getInteger("respgate.fuzz.case");
        System.out.println("fuzz: seed " + seed + " (-Drespgate.fuzz.seed=" + seed + " to replay), "
                + (onlyCase != null ? "case " + onlyCase : seconds + " s"));

        LeakReports leaks = new LeakReports();
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fuzz-io");
            t.setDaemon(true);
            return t;
        });
        long started = System.nanoTime();
        int cases = 0;
        try (RedisProcess direct = RedisProcess.start(REDIS_ARGS);
             ProxiedRedis proxied = ProxiedRedis.start(REDIS_ARGS);
             RawConnection directControl = new RawConnection(direct.port());
             RawConnection proxiedControl = new RawConnection(proxied.redisPort())) {
            Servers servers = new Servers(direct.port(), proxied.proxyPort(), directControl, proxiedControl);
            long deadline = started + TimeUnit.SECONDS.toNanos(seconds);
            for (int index = onlyCase != null ? onlyCase : 0; ; index++) {
                if (onlyCase != null ? index > onlyCase : System.nanoTime() > deadline) {
                    break;
                }
                Case c = makeCase(seed, index);
                kinds.merge(c.kind(), 1, Integer::sum);
                Result result = run(servers, c);
                outcomes.merge(result.outcome(), 1, Integer::sum);
                repliesCompared += result.repliesCompared();
                bytesSent += 2L * c.input().length;
                cases++;
                if (result.outcome() == Outcome.MISMATCH) {
                    summary(seed, cases, started, leaks);
                    dump("case-" + c.index(), c.input(), result);
                    byte[] shrunk = shrink(servers, c, result.signature());
                    Result again = run(servers, withInput(c, shrunk));
                    dump("case-" + c.index() + "-shrunk", shrunk, again);
                    fail(report(seed, c, result, shrunk, again));
                }
            }
            try (RawConnection fresh = new RawConnection(proxied.proxyPort(), 5000)) {
                assertEquals("+PONG\r\n", fresh.call("PING"), "RespGate still answers after the run");
            }
        } finally {
            threads.shutdownNow();
        }
        // Leaked buffers are reported when the detector next runs after a collection.
        System.gc();
        Thread.sleep(100);
        for (int i = 0; i < 1000; i++) {
            ByteBufAllocator.DEFAULT.buffer(64).release();
        }
        summary(seed, cases, started, leaks);
        leaks.close();
        assertEquals(List.of(), leaks.reports(), "Netty leak reports during the run");
    }

    // ---------------------------------------------------------------------------------- cases

    static Case makeCase(long seed, int index) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L);
        int pick = r.nextInt(100);
        long chunkSeed = r.nextLong();
        if (pick < 55) {
            int maxValue = r.nextInt(40) == 0 ? 3 << 20 : r.nextInt(12) == 0 ? 256 * 1024 : 2048;
            int size = r.nextInt(12) == 0 && maxValue <= 2048 ? 200 + r.nextInt(1800) : 1 + r.nextInt(40);
            CommandGenerator.Stream s = new CommandGenerator(r, maxValue, false, index).stream(size);
            // One time in four the connection speaks RESP3 first (its HELLO reply is compared without the id).
            boolean resp3 = r.nextInt(4) == 0;
            byte[] body = resp3 ? concat(CommandGenerator.bytes(r.nextBoolean() ? "HELLO 3\r\n"
                    : "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"), s.bytes()) : s.bytes();
            if (s.endsWithQuit()) {
                return new Case(index, Kind.VALID_QUIT, body, chunkSeed, false, null, resp3);
            }
            // Closing the write side only after small streams: Redis drops the replies it has not written
            // yet when it reads the client's EOF, so after a large output both sides end wherever they were.
            if (r.nextInt(8) == 0 && maxValue <= 2048 && size <= 40 && !blocks(s.bytes())) {
                return new Case(index, Kind.VALID_HALF_CLOSE, body, chunkSeed, true, null, resp3);
            }
            String marker = "fuzz-end-" + index;
            byte[] echo = CommandGenerator.bytes("*2\r\n$4\r\nECHO\r\n$" + marker.length() + "\r\n" + marker + "\r\n");
            byte[] reply = CommandGenerator.bytes("$" + marker.length() + "\r\n" + marker + "\r\n");
            return new Case(index, Kind.VALID, concat(body, echo), chunkSeed, false, reply, resp3);
        }
        byte[] valid = new CommandGenerator(r, 4096, true, index).stream(1 + r.nextInt(30)).bytes();
        if (pick < 85) {
            byte[] mutated = RespMutations.apply(valid, RespMutations.random(r, 4));
            return new Case(index, Kind.MUTATED, mutated, chunkSeed, r.nextInt(4) == 0 && !blocks(valid), null, false);
        }
        if (pick < 93) {
            byte[] cut = Arrays.copyOf(valid, r.nextInt(valid.length + 1));
            boolean close = r.nextBoolean() && !blocks(valid);
            return new Case(index, close ? Kind.TRUNCATED_CLOSED : Kind.TRUNCATED_OPEN, cut, chunkSeed, close, null,
                    false);
        }
        byte[] garbage = RespMutations.garbage(r, 400);
        byte[] input = r.nextBoolean() ? concat(Arrays.copyOf(valid, Math.min(valid.length, 200)), garbage) : garbage;
        return new Case(index, Kind.GARBAGE, input, chunkSeed, r.nextInt(4) == 0 && !blocks(valid), null, false);
    }

    private static final Pattern BLOCKING = Pattern.compile("BLPOP|BRPOP|BLMOVE|BZPOPMIN", Pattern.CASE_INSENSITIVE);

    /**
     * Whether the stream holds a blocking command: such a stream is not followed by closing the write side,
     * because whether Redis answers it then depends on whether it reads the EOF before the timeout ends.
     */
    private static boolean blocks(byte[] stream) {
        return BLOCKING.matcher(new String(stream, java.nio.charset.StandardCharsets.ISO_8859_1)).find();
    }

    /** The case with other bytes, judged as invalid input (a shrunk stream is no longer well formed). */
    private static Case withInput(Case c, byte[] input) {
        Kind kind = c.expectIdentical() ? Kind.MUTATED : c.kind();
        return new Case(c.index(), kind, input, c.chunkSeed(), c.halfClose(), null, c.resp3());
    }

    // ---------------------------------------------------------------------------------- running

    record Servers(int directPort, int proxyPort, RawConnection directControl, RawConnection proxiedControl) {
    }

    private Result run(Servers s, Case c) throws Exception {
        assertEquals("+OK\r\n", s.directControl().call("FLUSHALL"));
        assertEquals("+OK\r\n", s.proxiedControl().call("FLUSHALL"));
        Result result;
        try (Peer direct = new Peer(s.directPort(), threads); Peer proxied = new Peer(s.proxyPort(), threads)) {
            List<int[]> chunks = chunks(c.input().length, new Random(c.chunkSeed()));
            var writeDirect = threads.submit(() -> direct.write(c.input(), chunks, c.halfClose()));
            var writeProxied = threads.submit(() -> proxied.write(c.input(), chunks, c.halfClose()));
            String stalled = null;
            for (var w : List.of(writeDirect, writeProxied)) {
                try {
                    w.get(WRITE_SECONDS, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    stalled = (w == writeDirect ? "Redis" : "RespGate") + " stopped reading the input for "
                            + WRITE_SECONDS + " s";
                    break;
                }
            }
            if (stalled != null) {
                // Closing the peers (leaving this block) ends the blocked write.
                Peer.Snapshot d = direct.snapshot();
                Peer.Snapshot p = proxied.snapshot();
                result = new Result(Outcome.MISMATCH, d.bytes(), d.closed(), p.bytes(), p.closed(), 0, stalled,
                        "stalled");
            } else {
                result = settle(c, direct, proxied);
            }
        }
        if (result.signature().equals("stalled")) {
            return result;
        }
        if (result.outcome() == Outcome.IDENTICAL || result.outcome() == Outcome.IDENTICAL_BUT_UNORDERED_RUNS) {
            String a = digest(s.directControl());
            String b = digest(s.proxiedControl());
            if (!a.equals(b)) {
                result = new Result(Outcome.MISMATCH, result.direct(), result.directClosed(), result.proxied(),
                        result.proxiedClosed(), result.repliesCompared(),
                        "same replies, but the datasets differ afterwards (DEBUG DIGEST " + a.strip() + " vs "
                                + b.strip() + "): " + datasetDifference(s.directControl(), s.proxiedControl()),
                        "digest");
            }
        }
        return result;
    }

    /**
     * Drops every expiry (DEBUG DIGEST includes expiry times, which differ by the milliseconds between the
     * two servers' EXPIRE), then digests the dataset of every database.
     */
    private static final String PERSIST_ALL = "for db = 0, 1 do redis.call('select', db) "
            + "for _, k in ipairs(redis.call('keys', '*')) do redis.call('persist', k) end end return 1";

    private static String digest(RawConnection control) throws java.io.IOException {
        assertEquals(":1\r\n", control.call("EVAL", PERSIST_ALL, "0"));
        return control.call("DEBUG", "DIGEST");
    }

    /** The keys whose values differ between the two servers, for a report. */
    private static String datasetDifference(RawConnection a, RawConnection b) throws java.io.IOException {
        StringBuilder out = new StringBuilder();
        for (String db : new String[] {"0", "1"}) {
            a.call("SELECT", db);
            b.call("SELECT", db);
            java.util.TreeSet<String> keys = new java.util.TreeSet<>(bulkStrings(a.call("KEYS", "*")));
            keys.addAll(bulkStrings(b.call("KEYS", "*")));
            for (String key : keys) {
                String va = a.call("DUMP", key);
                String vb = b.call("DUMP", key);
                if (!a.call("DEBUG", "DIGEST-VALUE", key).equals(b.call("DEBUG", "DIGEST-VALUE", key))) {
                    out.append("db ").append(db).append(" key ").append(RespMutations.escape(CommandGenerator.bytes(key)))
                            .append(": Redis ").append(clip(RespMutations.escape(CommandGenerator.bytes(va))))
                            .append(", behind RespGate ").append(clip(RespMutations.escape(CommandGenerator.bytes(vb))))
                            .append("; ");
                }
            }
        }
        a.call("SELECT", "0");
        b.call("SELECT", "0");
        return out.toString();
    }

    /** The elements of an array reply of bulk strings ({@code KEYS}), as ISO-8859-1 strings. */
    private static List<String> bulkStrings(String reply) {
        List<String> out = new ArrayList<>();
        int at = reply.indexOf("\r\n") + 2;
        while (at < reply.length()) {
            int cr = reply.indexOf("\r\n", at);
            int length = Integer.parseInt(reply.substring(at + 1, cr));
            out.add(reply.substring(cr + 2, cr + 2 + length));
            at = cr + 2 + length + 2;
        }
        return out;
    }

    /** Waits until both outputs have settled (or the time is up), then judges them. */
    private static Result settle(Case c, Peer direct, Peer proxied) throws InterruptedException {
        long start = System.nanoTime();
        long limit = TimeUnit.MILLISECONDS.toNanos(c.sentinel() != null || c.kind() == Kind.VALID_QUIT
                || c.kind() == Kind.VALID_HALF_CLOSE ? VALID_MILLIS : SETTLE_MILLIS);
        Result result;
        while (true) {
            Thread.sleep(2);
            Peer.Snapshot d = normalized(c, direct.snapshot());
            Peer.Snapshot p = normalized(c, proxied.snapshot());
            boolean timeUp = System.nanoTime() - start > limit;
            if (c.sentinel() != null) {
                boolean dDone = d.closed() || endsWith(d.bytes(), c.sentinel());
                boolean pDone = p.closed() || endsWith(p.bytes(), c.sentinel());
                if (!(dDone && pDone) && !timeUp) {
                    continue;
                }
            } else if (!(d.closed() && p.closed())) {
                boolean settled = (d.closed() || d.idleMillis() >= IDLE_MILLIS)
                        && (p.closed() || p.idleMillis() >= IDLE_MILLIS);
                if (!settled && !timeUp) {
                    continue;
                }
                result = judge(c, d, p);
                if (result.outcome() == Outcome.MISMATCH && !timeUp) {
                    continue; // maybe one side is only slow: wait until the time is up before calling it
                }
                return result;
            }
            return judge(c, d, p);
        }
    }

    private static final byte[] HELLO_ID = CommandGenerator.bytes("$2\r\nid\r\n:");

    /** For a RESP3 case, the connection id in the HELLO reply (the first one) replaced by 0. */
    private static Peer.Snapshot normalized(Case c, Peer.Snapshot s) {
        if (!c.resp3()) {
            return s;
        }
        byte[] b = s.bytes();
        for (int i = 0; i + HELLO_ID.length < b.length && i < 512; i++) {
            if (Arrays.equals(b, i, i + HELLO_ID.length, HELLO_ID, 0, HELLO_ID.length)) {
                int from = i + HELLO_ID.length;
                int to = from;
                while (to < b.length && b[to] >= '0' && b[to] <= '9') {
                    to++;
                }
                byte[] out = new byte[b.length - (to - from) + 1];
                System.arraycopy(b, 0, out, 0, from);
                out[from] = '0';
                System.arraycopy(b, to, out, from + 1, b.length - to);
                return new Peer.Snapshot(out, s.closed(), s.idleMillis());
            }
        }
        return s;
    }

    static Result judge(Case c, Peer.Snapshot d, Peer.Snapshot p) {
        if (Arrays.equals(d.bytes(), p.bytes()) && d.closed() == p.closed()) {
            return result(Outcome.IDENTICAL, d, p, Replies.split(p.bytes()).replies().size(), "");
        }
        List<byte[]> dr = Replies.split(d.bytes()).replies();
        Replies.Split ps = Replies.split(p.bytes());
        List<byte[]> pr = ps.replies();
        int common = Math.min(dr.size(), pr.size());
        int first = 0;
        boolean unordered = false;
        for (; first < common; first++) {
            if (!Arrays.equals(dr.get(first), pr.get(first))) {
                int run = sameUnorderedRun(dr, pr, first);
                if (run > 0) {
                    first += run - 1;
                    unordered = true;
                    continue;
                }
                break;
            }
        }
        boolean sameOtherwise = first == common && dr.size() == pr.size() && d.closed() == p.closed()
                && Replies.split(d.bytes()).consumed() == d.bytes().length && ps.consumed() == p.bytes().length;
        if (c.halfClose() && first == common && dr.size() == pr.size() && d.closed() && p.closed()
                && ps.consumed() == p.bytes().length && Replies.split(d.bytes()).consumed() < d.bytes().length) {
            return result(Outcome.REDIS_CUT_SHORT_AT_HALF_CLOSE, d, p, pr.size(), "");
        }
        if (sameOtherwise && unordered) {
            return result(Outcome.IDENTICAL_BUT_UNORDERED_RUNS, d, p, pr.size(), "");
        }
        if (!c.expectIdentical() && p.closed() && ps.consumed() == p.bytes().length && first == pr.size() - 1
                && Replies.text(pr.get(first)).startsWith("-ERR Protocol error")) {
            // Redis's replies up to some point, then RespGate's protocol error and close.
            return result(Outcome.PROXY_REFUSED, d, p, first, "");
        }
        if (first < pr.size()) {
            String reply = Replies.text(pr.get(first));
            boolean refusedInMulti = reply.startsWith("-ERR RespGate does not allow '")
                    && reply.endsWith("' inside MULTI\r\n");
            if (refusedInMulti && first < dr.size() && Replies.text(dr.get(first)).equals("+QUEUED\r\n")) {
                // Redis queued it: the connection is in MULTI, where RespGate refuses this command by design.
                return result(Outcome.REFUSED_IN_MULTI, d, p, first, "");
            }
            if (first < common && namesARealCommand(reply)) {
                return result(Outcome.REDIS_NUL_NAME, d, p, first, "");
            }
        }
        Result r = result(Outcome.MISMATCH, d, p, 0, firstDifference(dr, pr, first, d, p));
        // What kind of difference it is, for shrinking: the start of both differing replies, or how they ended.
        String signature = first < common ? start(dr.get(first)) + " / " + start(pr.get(first))
                : (dr.size() < pr.size() ? "RespGate more" : dr.size() > pr.size() ? "Redis more" : "same count")
                        + (d.closed() ? " closed" : " open") + (p.closed() ? " closed" : " open");
        return new Result(r.outcome(), r.direct(), r.directClosed(), r.proxied(), r.proxiedClosed(), 0, r.note(),
                signature);
    }

    private static String start(byte[] reply) {
        return RespMutations.escape(Arrays.copyOf(reply, Math.min(reply.length, 16)));
    }

    private static final Pattern UNSUBSCRIBED = Pattern.compile(
            "(\\*3|>3)\r\n\\$1[12]\r\n(s?unsubscribe)\r\n(\\$-1|\\$\\d+\r\n.*)\r\n:(\\d+)\r\n", Pattern.DOTALL);
    private static final String PMESSAGE_RESP2 = "*4\r\n$8\r\npmessage\r\n";
    private static final String PMESSAGE_RESP3 = ">4\r\n$8\r\npmessage\r\n";

    /**
     * The length of a run of replies starting at {@code from} that holds the same replies in another
     * order; 0 if there is none. Two kinds of run come in an order Redis takes from a hash table it seeds
     * at random per process: the confirmations of (S)UNSUBSCRIBE without arguments (compared by channel,
     * with the same counts in the same order), and the pmessages one PUBLISH delivers for several patterns.
     */
    static int sameUnorderedRun(List<byte[]> direct, List<byte[]> proxied, int from) {
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        StringBuilder countsA = new StringBuilder();
        StringBuilder countsB = new StringBuilder();
        int n = 0;
        while (from + n < direct.size() && from + n < proxied.size()) {
            String ra = Replies.text(direct.get(from + n));
            String rb = Replies.text(proxied.get(from + n));
            Matcher ma = UNSUBSCRIBED.matcher(ra);
            Matcher mb = UNSUBSCRIBED.matcher(rb);
            if (ma.matches() && mb.matches() && ma.group(2).equals(mb.group(2))) {
                a.add(ma.group(2) + ma.group(3));
                b.add(mb.group(2) + mb.group(3));
                countsA.append(ma.group(4)).append(',');
                countsB.append(mb.group(4)).append(',');
            } else if ((ra.startsWith(PMESSAGE_RESP2) || ra.startsWith(PMESSAGE_RESP3))
                    && (rb.startsWith(PMESSAGE_RESP2) || rb.startsWith(PMESSAGE_RESP3))) {
                a.add(ra);
                b.add(rb);
            } else {
                break;
            }
            n++;
            List<String> sa = new ArrayList<>(a);
            List<String> sb = new ArrayList<>(b);
            sa.sort(null);
            sb.sort(null);
            if (sa.equals(sb) && countsA.toString().equals(countsB.toString())) {
                return n;
            }
        }
        return 0;
    }

    private static Result result(Outcome outcome, Peer.Snapshot d, Peer.Snapshot p, int compared, String note) {
        return new Result(outcome, d.bytes(), d.closed(), p.bytes(), p.closed(), compared, note, "");
    }

    private static final Pattern UNKNOWN_COMMAND =
            Pattern.compile("-ERR unknown command '(.*)', with args beginning with: .*\r\n", Pattern.DOTALL);
    private static final Pattern UNKNOWN_SUBCOMMAND =
            Pattern.compile("-ERR unknown subcommand '(.*)'\\. Try (.*) HELP\\.\r\n", Pattern.DOTALL);

    /**
     * Whether RespGate's "unknown command/subcommand" reply quotes a name that exists: then the client's
     * name went on after a NUL, which the quote (like Redis's) leaves out.
     */
    static boolean namesARealCommand(String reply) {
        Matcher m = UNKNOWN_COMMAND.matcher(reply);
        if (m.matches()) {
            return TABLE.byName(m.group(1).toLowerCase(Locale.ROOT)) != null;
        }
        m = UNKNOWN_SUBCOMMAND.matcher(reply);
        return m.matches() && TABLE.byName((m.group(2) + "|" + m.group(1)).toLowerCase(Locale.ROOT)) != null;
    }

    private static String firstDifference(List<byte[]> direct, List<byte[]> proxied, int first, Peer.Snapshot d,
                                          Peer.Snapshot p) {
        if (first < direct.size() && first < proxied.size()) {
            return "reply " + first + " differs: Redis " + RespMutations.escape(direct.get(first)) + ", RespGate "
                    + RespMutations.escape(proxied.get(first));
        }
        return "Redis gave " + direct.size() + " whole replies (" + (d.closed() ? "closed" : "open") + "), RespGate "
                + proxied.size() + " (" + (p.closed() ? "closed" : "open") + ")";
    }

    /** Chunk boundaries: whole, random sizes, tiny pieces, or byte by byte for short inputs. */
    private static List<int[]> chunks(int n, Random r) {
        List<int[]> out = new ArrayList<>();
        int style = r.nextInt(10);
        int max = switch (style) {
            case 0, 1, 2, 3 -> Math.max(1, n);
            case 4, 5, 6, 7 -> 1 + r.nextInt(512);
            case 8 -> n <= 512 ? 1 : 1 + r.nextInt(8);
            default -> 1 + r.nextInt(64);
        };
        if (n > 256 * 1024) {
            max = Math.max(max, 16 * 1024); // a large input in tiny writes would take minutes
        }
        boolean pause = style == 9;
        for (int at = 0; at < n; ) {
            int len = Math.min(n - at, 1 + r.nextInt(max));
            out.add(new int[] {at, len, pause && out.size() < 40 && r.nextInt(4) == 0 ? 1 : 0});
            at += len;
        }
        return out;
    }

    // ---------------------------------------------------------------------------------- shrinking and reports

    /** With {@code -Drespgate.fuzz.dump=DIR}, the raw input and both outputs of a mismatch go to files there. */
    private static void dump(String name, byte[] input, Result r) throws java.io.IOException {
        String dir = System.getProperty("respgate.fuzz.dump");
        if (dir != null) {
            java.nio.file.Path d = java.nio.file.Files.createDirectories(java.nio.file.Path.of(dir));
            java.nio.file.Files.write(d.resolve(name + ".input"), input);
            java.nio.file.Files.write(d.resolve(name + ".redis"), r.direct());
            java.nio.file.Files.write(d.resolve(name + ".respgate"), r.proxied());
            System.out.println("fuzz: " + name + " input and outputs written to " + d.toAbsolutePath());
        }
    }

    /**
     * Removes chunks of the input, largest first, while the case still shows the same kind of mismatch
     * ({@link Result#signature}); bounded in tries and time.
     */
    private byte[] shrink(Servers s, Case c, String signature) throws Exception {
        byte[] best = c.input();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int tries = 0;
        for (int size = Math.max(1, best.length / 2); size >= 1 && tries < 400; size /= 2) {
            for (int at = 0; at + size <= best.length && tries < 400 && System.nanoTime() < deadline; ) {
                byte[] candidate = new byte[best.length - size];
                System.arraycopy(best, 0, candidate, 0, at);
                System.arraycopy(best, at + size, candidate, at, best.length - at - size);
                tries++;
                Result r = run(s, withInput(c, candidate));
                if (r.outcome() == Outcome.MISMATCH && r.signature().equals(signature)) {
                    best = candidate;
                } else {
                    at += size;
                }
            }
        }
        return best;
    }

    private static String report(long seed, Case c, Result r, byte[] shrunk, Result again) {
        return "RespGate answered differently from Redis.\n"
                + "  seed " + seed + ", case " + c.index() + " (" + c.kind() + (c.halfClose() ? ", write side closed" : "")
                + "); replay: -Drespgate.fuzz.seed=" + seed + " -Drespgate.fuzz.case=" + c.index() + "\n"
                + "  " + r.note() + "\n"
                + "  input    (" + c.input().length + " bytes): " + clip(RespMutations.escape(c.input())) + "\n"
                + "  Redis    (" + (r.directClosed() ? "closed" : "open") + "): " + clip(RespMutations.escape(r.direct()))
                + "\n"
                + "  RespGate (" + (r.proxiedClosed() ? "closed" : "open") + "): "
                + clip(RespMutations.escape(r.proxied())) + "\n"
                + "  shrunk input (" + shrunk.length + " bytes, " + again.outcome() + "): "
                + clip(RespMutations.escape(shrunk)) + "\n"
                + "    Redis:    " + clip(RespMutations.escape(again.direct())) + (again.directClosed() ? " [closed]" : "")
                + "\n"
                + "    RespGate: " + clip(RespMutations.escape(again.proxied())) + (again.proxiedClosed() ? " [closed]" : "")
                + "\n    " + again.note();
    }

    private static String clip(String s) {
        return s.length() <= 6000 ? s : s.substring(0, 3000) + " ...[" + (s.length() - 6000) + " chars]... "
                + s.substring(s.length() - 3000);
    }

    private void summary(long seed, int cases, long started, LeakReports leaks) {
        System.out.printf("fuzz: seed %d: %d cases in %.1f s, %d bytes sent, %d replies compared%n", seed, cases,
                (System.nanoTime() - started) / 1e9, bytesSent, repliesCompared);
        System.out.println("fuzz:   inputs   " + kinds);
        System.out.println("fuzz:   outcomes " + outcomes + ", mismatches " + outcomes.getOrDefault(Outcome.MISMATCH, 0)
                + ", Netty leak reports " + leaks.reports().size());
    }

    static boolean endsWith(byte[] bytes, byte[] suffix) {
        return bytes.length >= suffix.length
                && Arrays.equals(bytes, bytes.length - suffix.length, bytes.length, suffix, 0, suffix.length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    /** Collects what Netty's leak detector logs. */
    private static final class LeakReports implements AutoCloseable {
        private final Logger logger;
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        LeakReports() {
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            appender.setContext(context);
            appender.start();
            logger = context.getLogger("io.netty.util.ResourceLeakDetector");
            logger.addAppender(appender);
        }

        List<String> reports() {
            synchronized (appender.list) {
                return appender.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("LEAK"))
                        .toList();
            }
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
        }
    }
}
