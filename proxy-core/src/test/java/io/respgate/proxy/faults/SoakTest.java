package io.respgate.proxy.faults;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.policy.PasswordHashing;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.RespGateProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.respgate.proxy.testing.RawConnection.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Soak: {@code respgate run} as a real process (paranoid leak detection) under mixed traffic:
 * pipelined SET/GET, MULTI/EXEC, pub/sub, blocking pops, AUTH churn (and wrong passwords from
 * another loopback address), connection churn (abrupt closes, half-sent requests) and denied
 * commands, while Redis is SIGKILLed and restarted and the policy is reloaded in between. Every
 * reply is checked against the command it answers. The report gives commands sent, replies
 * checked, mismatches (must be 0), errors by type, heap after GC / RSS / file descriptors of the
 * proxy at start and end, and Netty leak reports (must be 0).
 *
 * <p>In the test suite it runs 20 seconds. The long run (10 minutes) is {@code bin/soak}, or:
 * <pre>{@code
 * mvn -B -o test -pl proxy-core -Dtest=SoakTest -Drespgate.soak.seconds=600
 * }</pre>
 */
@Timeout(value = 2, unit = TimeUnit.HOURS)
class SoakTest {
    private static final long SECONDS = Long.getLong("respgate.soak.seconds", 20);
    private static final String PASSWORD = "soak-" + Long.toHexString(System.nanoTime());
    private static final String POLICY = "users:\n"
            + "  default:\n    acl: \"on nopass ~* &* +@all -@dangerous\"\n"
            + "  churn:\n    acl: \"on #" + PasswordHashing.sha256Hex(PASSWORD.getBytes(StandardCharsets.UTF_8))
            + " ~* &* +@all -@dangerous\"\n";

    @TempDir
    Path dir;

    private final Tally tally = new Tally();
    private volatile long deadline;
    private int proxyPort;

    @Test
    void mixedTrafficWithRestartsAndReloadsLosesNothingAndLeaksNothing() throws Exception {
        Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        List<RedisProcess> redises = new ArrayList<>();
        RedisProcess first = RedisProcess.start();
        redises.add(first);
        int redisPort = first.port();
        proxyPort = freePort();
        int adminPort = freePort();
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, POLICY);
        Path config = dir.resolve("respgate.yaml");
        Files.writeString(config, "listen: {address: 127.0.0.1, port: " + proxyPort + "}\n"
                + "upstream: {address: 127.0.0.1:" + redisPort + "}\npolicy: {file: policy.yaml}\n"
                + "admin: {address: 127.0.0.1, port: " + adminPort + "}\n");
        RespGateProcess proxy = RespGateProcess.start(config, "-Xmx256m",
                "-Dio.netty.leakDetection.level=" + System.getProperty("respgate.soak.leak", "paranoid"));
        List<Thread> workers = new ArrayList<>();
        try {
            assertTrue(proxy.awaitListening(30), "the proxy never said it was listening:\n" + proxy.log());
            Snapshot start = Snapshot.take(proxy.pid(), adminPort);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            for (int i = 0; i < 3; i++) {
                workers.add(worker("pipeline", i, this::pipelineRound));
            }
            workers.add(worker("multi", 0, this::multiRound));
            workers.add(worker("blocking", 0, this::blockingRound));
            workers.add(worker("pubsub", 0, new PubSubRound()));
            workers.add(worker("auth-churn", 0, c -> authChurnRound()));
            workers.add(worker("connection-churn", 0, c -> connectionChurnRound()));
            workers.add(worker("denied", 0, this::deniedRound));
            workers.forEach(Thread::start);

            int faults = 0;
            long period = TimeUnit.SECONDS.toNanos(Math.max(4, SECONDS / 8));
            long next = System.nanoTime() + period;
            while (System.nanoTime() < deadline) {
                Thread.sleep(100);
                if (System.nanoTime() >= next && System.nanoTime() < deadline - period / 2) {
                    if (faults % 2 == 0) {
                        RedisRestartUnderLoadTest.killHard(redisPort);
                        Thread.sleep(200);
                        redises.add(RedisProcess.startOnPort(redisPort));
                        tally.count("fault: redis killed and restarted");
                    } else {
                        Files.writeString(policy, POLICY + "# reload " + faults + "\n");
                        proxy.signal("HUP");
                        tally.count("fault: policy reloaded");
                    }
                    faults++;
                    next += period;
                }
            }
            for (Thread t : workers) {
                t.join(30_000);
            }
            Thread.sleep(1000); // let the proxy see the last closes
            Snapshot end = Snapshot.take(proxy.pid(), adminPort);
            String log = proxy.log();
            long leaks = Pattern.compile("LEAK:").matcher(log).results().count();
            String report = "soak " + SECONDS + " s: " + tally.report() + "\n  proxy at start: " + start
                    + "\n  proxy at end:   " + end + "\n  Netty leak reports: " + leaks;
            System.out.println(report);
            assertEquals(0, tally.mismatches.get(), report);
            assertEquals(0, tally.hangs.get(), report);
            assertEquals(0, leaks, report + "\n" + log);
            for (String kind : List.of("pipeline", "multi", "blocking", "pubsub", "auth-churn", "connection-churn", "denied")) {
                assertTrue(tally.okByKind.getOrDefault(kind, new AtomicLong()).get() > 0, kind + " was exercised: " + report);
            }
            // Jar files opened as classes load stay open; sockets are what a leaked connection would hold.
            if (end.sockets > start.sockets) {
                throw new AssertionError("sockets back to where they started: " + report + "\n" + sockets(proxy.pid()));
            }
            assertTrue(end.heapBytes <= start.heapBytes + 48L * 1024 * 1024, "heap after GC stays flat: " + report);
            assertTrue(!log.contains(PASSWORD), "the password never reaches the log");
        } finally {
            deadline = 0;
            for (Thread t : workers) {
                t.join(30_000);
            }
            proxy.close();
            redises.forEach(RedisProcess::close);
        }
    }

    // ---------------------------------------------------------------- traffic

    private interface Round {
        void run(Conn c) throws IOException;

        /** Closes any connection the round holds besides the worker's own. */
        default void finish() {
        }
    }

    /** A worker's connection, opened on first use and again after the proxy closed it. */
    private final class Conn implements AutoCloseable {
        private RawConnection raw;

        RawConnection get() throws IOException {
            if (raw == null) {
                raw = new RawConnection(proxyPort, 10_000);
            }
            return raw;
        }

        @Override
        public void close() {
            if (raw != null) {
                try {
                    raw.close();
                } catch (IOException ignored) {
                    // already gone
                }
                raw = null;
            }
        }
    }

    private Thread worker(String kind, int id, Round round) {
        Thread t = new Thread(() -> {
            try (Conn c = new Conn()) {
                while (System.nanoTime() < deadline) {
                    try {
                        round.run(c);
                    } catch (SocketTimeoutException e) {
                        tally.hangs.incrementAndGet();
                        tally.count("hang: " + kind);
                        c.close();
                    } catch (IOException e) {
                        tally.count("connection closed: " + kind);
                        c.close();
                        sleep(20);
                    }
                }
            } finally {
                round.finish();
            }
        }, "soak-" + kind + "-" + id);
        t.setDaemon(true);
        return t;
    }

    private final AtomicLong keys = new AtomicLong();

    private void pipelineRound(Conn c) throws IOException {
        RawConnection r = c.get();
        StringBuilder batch = new StringBuilder();
        String[] values = new String[8];
        long base = keys.getAndAdd(values.length);
        for (int i = 0; i < values.length; i++) {
            values[i] = "v" + (base + i) + "\r\n\0" + "x".repeat(i * 7);
            batch.append(multibulk("SET", "soak:" + (base + i), values[i])).append(multibulk("GET", "soak:" + (base + i)));
        }
        r.send(batch.toString());
        tally.sent.addAndGet(values.length * 2L);
        for (String value : values) {
            String set = r.readReply();
            String get = r.readReply();
            if (set.startsWith("-") || get.startsWith("-")) {
                tally.error("pipeline", set.startsWith("-") ? set : get);
            } else {
                tally.check("pipeline", 2, set.equals("+OK\r\n") && get.equals("$" + value.length() + "\r\n" + value + "\r\n"),
                        set + get);
            }
        }
    }

    private void multiRound(Conn c) throws IOException {
        RawConnection r = c.get();
        r.send(multibulk("MULTI") + multibulk("INCR", "soak:tx") + multibulk("INCR", "soak:tx") + multibulk("EXEC"));
        tally.sent.addAndGet(4);
        String[] replies = {r.readReply(), r.readReply(), r.readReply(), r.readReply()};
        String all = String.join("", replies);
        if (all.contains("\r\n-") || all.startsWith("-")) {
            tally.error("multi", firstError(replies));
            return;
        }
        Matcher m = Pattern.compile("\\*2\r\n:(\\d+)\r\n:(\\d+)\r\n").matcher(replies[3]);
        boolean ok = replies[0].equals("+OK\r\n") && replies[1].equals("+QUEUED\r\n") && replies[2].equals("+QUEUED\r\n")
                && m.matches() && Long.parseLong(m.group(2)) == Long.parseLong(m.group(1)) + 1;
        tally.check("multi", 4, ok, all);
    }

    private void blockingRound(Conn c) throws IOException {
        RawConnection r = c.get();
        String item = "item" + keys.incrementAndGet();
        r.send(multibulk("LPUSH", "soak:q", item) + multibulk("BLPOP", "soak:q", "1") + multibulk("BLPOP", "soak:empty", "0.05"));
        tally.sent.addAndGet(3);
        String[] replies = {r.readReply(), r.readReply(), r.readReply()};
        if (String.join("", replies).startsWith("-") || replies[1].startsWith("-") || replies[2].startsWith("-")) {
            tally.error("blocking", firstError(replies));
            return;
        }
        tally.check("blocking", 3, replies[0].equals(":1\r\n")
                && replies[1].equals("*2\r\n$6\r\nsoak:q\r\n$" + item.length() + "\r\n" + item + "\r\n")
                && replies[2].equals("*-1\r\n"), String.join("", replies));
    }

    /** A subscriber and a publisher; every message delivered must be the one just published. */
    private final class PubSubRound implements Round {
        private final Conn publisher = new Conn();
        private boolean subscribed;
        private long seq;

        @Override
        public void finish() {
            publisher.close();
        }

        @Override
        public void run(Conn subscriber) throws IOException {
            try {
                if (subscriber.raw == null) {
                    subscribed = false;
                }
                RawConnection sub = subscriber.get();
                if (!subscribed) {
                    String reply = sub.call("SUBSCRIBE", "soak:ch");
                    tally.sent.incrementAndGet();
                    if (reply.startsWith("-")) {
                        tally.error("pubsub", reply);
                        subscriber.close();
                        sleep(20);
                        return;
                    }
                    tally.check("pubsub", reply.equals("*3\r\n$9\r\nsubscribe\r\n$7\r\nsoak:ch\r\n:1\r\n"), reply);
                    subscribed = true;
                }
                String message = "m" + seq++;
                String published = publisher.get().call("PUBLISH", "soak:ch", message);
                tally.sent.incrementAndGet();
                if (published.startsWith("-")) {
                    tally.error("pubsub", published);
                } else if (published.equals(":1\r\n")) {
                    String got = sub.readReply();
                    tally.check("pubsub", got.equals("*3\r\n$7\r\nmessage\r\n$7\r\nsoak:ch\r\n$" + message.length() + "\r\n"
                            + message + "\r\n"), got);
                } else {
                    // :0 — the subscriber's Redis was just replaced; its connection is about to close.
                    tally.count("pubsub: published to no subscriber (Redis restarted)");
                }
            } catch (IOException e) {
                publisher.close();
                subscribed = false;
                throw e;
            }
        }
    }

    private long authRounds;

    private void authChurnRound() throws IOException {
        boolean wrong = ++authRounds % 10 == 0;
        Socket socket = new Socket();
        if (wrong) {
            // Another loopback source, so its lockout cannot lock out the rest of the soak.
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", proxyPort), 2000);
        try (RawConnection r = new RawConnection(socket, 10_000)) {
            String auth = r.call("AUTH", "churn", wrong ? "not-the-password" : PASSWORD);
            tally.sent.incrementAndGet();
            if (wrong) {
                tally.check("auth-churn", auth.startsWith("-WRONGPASS") || auth.startsWith("-ERR"), "wrong password: " + auth);
                return;
            }
            String ping = r.call("PING");
            String quit = r.call("QUIT");
            tally.sent.addAndGet(2);
            if (ping.startsWith("-")) {
                tally.error("auth-churn", ping);
            } else {
                tally.check("auth-churn", 3, auth.equals("+OK\r\n") && ping.equals("+PONG\r\n") && quit.equals("+OK\r\n"),
                        auth + ping + quit);
            }
        }
    }

    private long churnRounds;

    private void connectionChurnRound() throws IOException {
        try (RawConnection r = new RawConnection(proxyPort, 10_000)) {
            if (++churnRounds % 2 == 0) {
                r.send("*2\r\n$3\r\nGE"); // half a request, then gone
                tally.count("connection-churn: half-sent request abandoned");
                tally.okByKind.computeIfAbsent("connection-churn", k -> new AtomicLong()).incrementAndGet();
                return;
            }
            String pong = r.call("PING");
            tally.sent.incrementAndGet();
            if (pong.startsWith("-")) {
                tally.error("connection-churn", pong);
            } else {
                tally.check("connection-churn", pong.equals("+PONG\r\n"), pong);
            }
        }
    }

    private void deniedRound(Conn c) throws IOException {
        RawConnection r = c.get();
        r.send(multibulk("FLUSHALL") + multibulk("CONFIG", "SET", "dir", "/tmp") + multibulk("ECHO", "after"));
        tally.sent.addAndGet(3);
        String flush = r.readReply();
        String config = r.readReply();
        String echo = r.readReply();
        if (echo.startsWith("-")) {
            tally.error("denied", echo);
        }
        tally.check("denied", 3, flush.startsWith("-NOPERM") && config.startsWith("-NOPERM")
                && (echo.equals("$5\r\nafter\r\n") || echo.startsWith("-")), flush + config + echo);
        sleep(5);
    }

    private static String firstError(String[] replies) {
        for (String r : replies) {
            if (r.startsWith("-")) {
                return r;
            }
            int i = r.indexOf("\r\n-");
            if (i >= 0) {
                return r.substring(i + 2);
            }
        }
        return "?";
    }

    // ---------------------------------------------------------------- bookkeeping

    private static final class Tally {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong checked = new AtomicLong();
        final AtomicLong mismatches = new AtomicLong();
        final AtomicLong hangs = new AtomicLong();
        final Map<String, AtomicLong> okByKind = new ConcurrentHashMap<>();
        final Map<String, AtomicLong> events = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();

        void check(String kind, boolean ok, String got) {
            check(kind, 1, ok, got);
        }

        /** {@code replies} replies were checked together (e.g. a SET and its GET). */
        void check(String kind, int replies, boolean ok, String got) {
            checked.addAndGet(replies);
            if (ok) {
                okByKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            } else {
                mismatches.incrementAndGet();
                if (samples.size() < 5) {
                    samples.add(kind + ": " + got.replace("\r\n", "\\r\\n"));
                }
            }
        }

        void error(String kind, String reply) {
            checked.incrementAndGet(); // the error itself; the rest of its batch is counted in sent only
            String line = reply.strip();
            count("error reply: " + line.substring(0, Math.min(50, line.length())));
        }

        void count(String event) {
            events.computeIfAbsent(event, k -> new AtomicLong()).incrementAndGet();
        }

        String report() {
            return "commands sent " + sent + ", replies checked " + checked + ", mismatches " + mismatches + " " + samples
                    + ", hangs " + hangs + "\n  ok by kind " + new TreeMap<>(okByKind) + "\n  events " + new TreeMap<>(events);
        }
    }

    /** The proxy process's heap after a full GC, resident memory, open file descriptors and how many are sockets. */
    private record Snapshot(long heapBytes, long rssBytes, long fds, long sockets) {
        static Snapshot take(long pid, int adminPort) throws Exception {
            // GC first: jcmd's first use opens the JVM's attach socket, which then stays open.
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            if (Files.isExecutable(jcmd)) {
                new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
            }
            long fds = 0;
            long sockets = 0;
            try (Stream<Path> open = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                for (Path fd : (Iterable<Path>) open::iterator) {
                    fds++;
                    try {
                        sockets += Files.readSymbolicLink(fd).toString().startsWith("socket:") ? 1 : 0;
                    } catch (IOException closedMeanwhile) {
                        fds--;
                    }
                }
            }
            long heap = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*} (\\S+)$")
                    .matcher(scrape(adminPort)).results().mapToLong(r -> (long) Double.parseDouble(r.group(1))).sum();
            Matcher rss = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
            long rssBytes = rss.find() ? Long.parseLong(rss.group(1)) * 1024 : -1;
            return new Snapshot(heap, rssBytes, fds, sockets);
        }

        /** HTTP/1.0, so the admin connection is closed when the answer is read and holds no descriptor. */
        private static String scrape(int adminPort) throws IOException {
            try (Socket s = new Socket("127.0.0.1", adminPort)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
        }

        @Override
        public String toString() {
            return String.format("heap after GC %.1f MiB, RSS %.1f MiB, file descriptors %d (sockets %d)",
                    heapBytes / 1048576.0, rssBytes / 1048576.0, fds, sockets);
        }
    }

    /** The proxy's TCP sockets as {@code ss} lists them, to say which one is left over. */
    private static String sockets(long pid) throws InterruptedException {
        Process ss;
        try {
            ss = new ProcessBuilder("ss", "-tanp").redirectErrorStream(true).start();
        } catch (IOException e) {
            return "(no ss command to list the sockets)";
        }
        String all;
        try {
            all = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(ss failed: " + e.getMessage() + ")";
        }
        ss.waitFor();
        StringBuilder mine = new StringBuilder();
        for (String line : all.split("\n")) {
            if (line.contains("pid=" + pid + ",")) {
                mine.append(line.replaceAll("\\s+", " ")).append('\n');
            }
        }
        return mine.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
