package io.respgate.bench;

import io.netty.buffer.Unpooled;
import io.respgate.codec.CommandFrame;
import io.respgate.config.PolicyLoader;
import io.respgate.policy.Decision;
import io.respgate.policy.PasswordHashing;
import io.respgate.policy.PolicySnapshot;
import io.respgate.policy.PolicyUser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Cost of one policy decision ({@link PolicySnapshot#decide}) for a realistic policy: the default
 * guardrails, {@code default} off and 20 users, each
 * {@code on #<sha256> %R~prefixN:a* %W~prefixN:b* ~prefixN:c* ... (10 key patterns) &chanN:* +@all -@dangerous}.
 * The deciding user is {@code user7}; frames are built once in {@link #setup()} and only read.
 *
 * <p>Shapes ({@code shape} parameter): {@code GET} (key matching the 7th pattern), {@code SET}
 * (9th pattern), {@code MGET3} (3 keys on the 1st, 4th and 10th patterns), {@code DENIED_KEY}
 * (GET of a key matching no pattern: every pattern is tried), {@code FLUSHALL} (refused by the
 * guardrails) and {@code HSET} (key, field, value). {@link #setup()} checks each shape gets the
 * expected verdict, so a policy change cannot silently turn an allow into a deny.
 *
 * <p>Issue #3's target: at most 100 ns per decision. Run (after
 * {@code mvn -q -B -DskipTests package -pl bench -am}):
 *
 * <pre>{@code
 * java -jar bench/target/benchmarks.jar GateBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class GateBenchmark {
    static final int USERS = 20;
    static final int PATTERNS = 10;
    static final String USER = "user7";

    @Param({"GET", "SET", "MGET3", "DENIED_KEY", "FLUSHALL", "HSET"})
    public String shape;

    private PolicySnapshot snapshot;
    private PolicyUser user;
    private CommandFrame frame;

    /** The policy YAML: default guardrails, default off, {@link #USERS} users of {@link #PATTERNS} patterns. */
    public static String policyYaml() {
        StringBuilder y = new StringBuilder("guardrails: {allow: [], deny: []}\nusers:\n  default:\n    acl: \"off\"\n");
        String[] kinds = {"%R~", "%W~", "~"};
        for (int n = 0; n < USERS; n++) {
            String hash = PasswordHashing.sha256Hex(("password-" + n).getBytes(StandardCharsets.UTF_8));
            y.append("  user").append(n).append(":\n    acl: \"on #").append(hash);
            for (int p = 0; p < PATTERNS; p++) {
                y.append(' ').append(kinds[p % 3]).append("prefix").append(n).append(':').append((char) ('a' + p))
                        .append('*');
            }
            y.append(" &chan").append(n).append(":* +@all -@dangerous\"\n");
        }
        return y.toString();
    }

    /** A RESP multibulk frame of {@code args} with its argument spans, as the decoder would build it. */
    public static CommandFrame frame(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] spans = new int[args.length * 2];
        write(out, "*" + args.length + "\r\n");
        for (int i = 0; i < args.length; i++) {
            byte[] a = args[i].getBytes(StandardCharsets.UTF_8);
            write(out, "$" + a.length + "\r\n");
            spans[2 * i] = out.size();
            spans[2 * i + 1] = a.length;
            out.write(a, 0, a.length);
            write(out, "\r\n");
        }
        return new CommandFrame(Unpooled.wrappedBuffer(out.toByteArray()), spans, args.length, false);
    }

    private static void write(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        out.write(b, 0, b.length);
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        snapshot = PolicyLoader.parse(policyYaml(), "bench-policy.yaml");
        user = snapshot.user(USER);
        if (user == null) {
            throw new IllegalStateException("no user " + USER + " in " + snapshot);
        }
        boolean expectAllowed = true;
        switch (shape) {
            case "GET" -> frame = frame("GET", "prefix7:g:user:1001");
            case "SET" -> frame = frame("SET", "prefix7:i:session:42", "some-value-of-32-bytes-0123456789");
            case "MGET3" -> frame = frame("MGET", "prefix7:a:1", "prefix7:d:2", "prefix7:j:3");
            case "DENIED_KEY" -> {
                frame = frame("GET", "other:user:1001");
                expectAllowed = false;
            }
            case "FLUSHALL" -> {
                frame = frame("FLUSHALL");
                expectAllowed = false;
            }
            case "HSET" -> frame = frame("HSET", "prefix7:f:user:1001", "name", "alice");
            default -> throw new IllegalArgumentException("unknown shape " + shape);
        }
        Decision d = snapshot.decide(user, frame);
        if (d.allowed() != expectAllowed) {
            throw new IllegalStateException(shape + ": expected " + (expectAllowed ? "allowed" : "denied")
                    + ", got " + d);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        frame.release();
    }

    @Benchmark
    public Decision decide() {
        return snapshot.decide(user, frame);
    }
}
