package io.respgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respgate.codec.ReplyScanner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Cost of framing upstream replies: {@link ReplyScanner#nextFrame} over a buffer holding 16 GET
 * replies ({@code $3\r\nxxx\r\n}, what redis-benchmark's GET P16 gets back). Score is per reply.
 *
 * <pre>{@code
 * java -jar bench/target/benchmarks.jar ReplyScannerBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * }</pre>
 *
 * <p>Issue 6 (number lines read with one 8-byte load): 16.7 ns per reply before (7424753; fork medians
 * 16.5-18.0) and 11.6 after (70d8cc6; 11.4-11.9), both jars in one session on the shared 2-core machine,
 * 6 forks each, interleaved ({@code -f 1 -wi 6 -w 1s -i 5 -r 1s}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ReplyScannerBenchmark {
    static final int REPLIES = 16;

    private ByteBuf buf;
    private ReplyScanner scanner;

    @Setup(Level.Trial)
    public void setup() {
        buf = Unpooled.wrappedBuffer("$3\r\nxxx\r\n".repeat(REPLIES).getBytes(StandardCharsets.US_ASCII));
        scanner = new ReplyScanner(64, 512L * 1024 * 1024);
        if (scan16() != REPLIES) {
            throw new IllegalStateException("expected " + REPLIES + " frames");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buf.release();
    }

    @Benchmark
    @OperationsPerInvocation(REPLIES)
    public int scan16() {
        buf.readerIndex(0);
        int frames = 0;
        int n;
        while ((n = scanner.nextFrame(buf)) > 0) {
            buf.skipBytes(n);
            frames++;
        }
        return frames;
    }
}
