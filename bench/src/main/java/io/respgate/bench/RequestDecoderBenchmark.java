package io.respgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.respgate.codec.RequestDecoder;
import io.respgate.codec.RequestLimits;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Cost of framing client requests: one read batch of 16 pipelined commands (what redis-benchmark's
 * P16 cases send) through {@link RequestDecoder} in an {@link EmbeddedChannel}, the frames handed
 * to a handler that counts and releases them. Score is per command and includes the decoder's
 * share of the channel pipeline, as in the proxy.
 *
 * <ul>
 *   <li>{@code GET}: {@code *2 $3 GET $16 key:__rand_int__};</li>
 *   <li>{@code SET}: {@code *3 $3 SET $16 key $3 xxx};</li>
 *   <li>{@code MSET10}: MSET of ten keys and values (21 arguments);</li>
 *   <li>{@code INLINE}: {@code PING\r\n}, re-encoded as a multibulk frame.</li>
 * </ul>
 *
 * <pre>{@code
 * mvn -q -B -DskipTests package -pl bench -am
 * java -jar bench/target/benchmarks.jar RequestDecoderBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * }</pre>
 *
 * <p>Issue 6 (short header lines read with one 8-byte load, one argument table per decoder), before
 * (7424753) and after (70d8cc6), on the 2-core machine shared with other builds: both jars in the same
 * session, interleaved fork by fork ({@code -f 1 -wi 6 -w 1s -i 5 -r 1s -prof gc}, repeated); ns per
 * command as the median of the fork medians, with their range, and bytes allocated per command.
 * GET and SET from one session of 10 forks per jar, MSET10 and INLINE from another of 6:
 *
 * <pre>
 * shape    before               after                B/op before -> after
 * GET      135.5 (130.4-220.2)  110.8 (103.6-223.7)  186 -> 186
 * SET      151.4 (143.9-225.7)  123.1 (114.6-217.7)  194 -> 194
 * MSET10   682.8 (513.9-889.4)  318.7 (289.5-409.5)  562 -> 338
 * INLINE   256.4 (172.6-282.6)  222.4 (177.7-260.1)  162 -> 106
 * </pre>
 *
 * <p>Then frames read in place from the client's buffer (no retained slice per command), before
 * (159ec55) and after (c0b4266), 4 interleaved forks per jar ({@code -f 1 -wi 4 -w 1s -i 5 -r 1s
 * -prof gc}), the median of the forks' scores and their range:
 *
 * <pre>
 * shape    before               after               B/op before -> after
 * GET      108.3 (104.1-148.7)  79.8 (71.6-105.7)   186 -> 81
 * SET      135.8 (114.3-168.8)  89.8 (78.3-112.5)   194 -> 89
 * MSET10   336.0 (307.9-401.5)  256.1 (242.3-277.9) 338 -> 233
 * </pre>
 *
 * Single forks land up to 60% high here, before as after and at random, which is why the figures are
 * medians and ranges of whole forks. INLINE does not take the changed header path and differs by less
 * than its spread (its forks fall into a fast and a slow group, before as after); only its allocation
 * changed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class RequestDecoderBenchmark {
    static final int COMMANDS = 16;

    @Param({"GET", "SET", "MSET10", "INLINE"})
    public String shape;

    private EmbeddedChannel channel;
    private byte[] batch;
    private int frames;

    @Setup(Level.Trial)
    public void setup() {
        channel = new EmbeddedChannel(new RequestDecoder(RequestLimits.defaults()), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                frames++;
                ReferenceCountUtil.release(msg);
            }
        });
        channel.pipeline().get(RequestDecoder.class).setAuthenticated(true);
        batch = command(shape).repeat(COMMANDS).getBytes(StandardCharsets.US_ASCII);
        if (decode16() != COMMANDS) {
            throw new IllegalStateException("expected " + COMMANDS + " frames of " + shape);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public int decode16() {
        frames = 0;
        ByteBuf in = PooledByteBufAllocator.DEFAULT.buffer(batch.length);
        in.writeBytes(batch);
        channel.writeInbound(in);
        return frames;
    }

    private static String command(String shape) {
        return switch (shape) {
            case "GET" -> bulks("GET", "key:__rand_int__");
            case "SET" -> bulks("SET", "key:__rand_int__", "xxx");
            case "MSET10" -> {
                String[] args = new String[21];
                args[0] = "MSET";
                for (int i = 0; i < 10; i++) {
                    args[1 + 2 * i] = "key:00000000000" + i;
                    args[2 + 2 * i] = "value-" + i;
                }
                yield bulks(args);
            }
            case "INLINE" -> "PING\r\n";
            default -> throw new IllegalArgumentException(shape);
        };
    }

    private static String bulks(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }
}
