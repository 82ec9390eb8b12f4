package io.respgate.proxy.limits;

import io.respgate.config.LimitsConfig;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

import static io.respgate.proxy.testing.RawConnection.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code limits.max_buffered_memory}: the connection holding the most goes, the others stay (issue 7). */
@Timeout(90)
class BufferedMemoryTest {
    private static final int MB = 1024 * 1024;

    private static double metric(ProxiedRedis pair, String line) {
        return Arrays.stream(pair.proxy().metrics().scrape().split("\n")).filter(l -> l.startsWith(line + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(line.length() + 1))).findFirst()
                .orElseThrow(() -> new AssertionError(line + " not exported"));
    }

    /** Writes {@code bytes} of a value that never ends; returns how many were written before the close. */
    private static long sendUntilClosed(RawConnection c, long bytes) {
        long sent = 0;
        try {
            OutputStream out = c.socket().getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            while (sent < bytes) {
                out.write(chunk);
                sent += chunk.length;
            }
        } catch (IOException closed) {
            // evicted
        }
        return sent;
    }

    @Test
    void aClientUploadingBeyondTheBoundIsClosedAndTheOthersAreServed() throws Exception {
        LimitsConfig limits = LimitsConfig.defaults().withMaxBufferedMemory(4L * MB);
        try (ProxiedRedis pair = ProxiedRedis.start(TestPolicies.transparent(), limits);
             RawConnection hog = new RawConnection(pair.proxyPort(), 10_000);
             RawConnection other = new RawConnection(pair.proxyPort(), 10_000)) {
            assertEquals("+OK\r\n", other.call("SET", "k", "v"));
            assertEquals(4.0 * MB, metric(pair, "respgate_buffered_limit_bytes"));
            hog.send("*3\r\n$3\r\nSET\r\n$3\r\nhog\r\n$" + (64 * MB) + "\r\n");
            Thread writer = new Thread(() -> sendUntilClosed(hog, 32L * MB));
            writer.start();
            assertTrue(hog.closedByPeer(), "the hog is closed");
            writer.join(30_000);
            assertEquals(1.0, metric(pair, "respgate_connections_refused_total{reason=\"memory\"}"));
            assertEquals("$1\r\nv\r\n", other.call("GET", "k"), "another connection is unaffected");
            assertEquals("$-1\r\n", other.call("GET", "hog"));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (metric(pair, "respgate_buffered_bytes") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0.0, metric(pair, "respgate_buffered_bytes"), "what the hog held is given back");
            try (RawConnection again = new RawConnection(pair.proxyPort(), 10_000)) {
                String value = "z".repeat(2 * MB);
                assertEquals("+OK\r\n", again.call("SET", "fits", value), "a value below the bound passes");
                assertEquals(2 * MB + 12, again.call("GET", "fits").length());
            }
        }
    }

    @Test
    void aClientThatNeverReadsItsRepliesIsClosedWhenItHoldsTheMost() throws Exception {
        LimitsConfig limits = LimitsConfig.defaults().withMaxBufferedMemory(4L * MB);
        try (ProxiedRedis pair = ProxiedRedis.start(TestPolicies.transparent(), limits);
             RawConnection direct = new RawConnection(pair.redisPort());
             RawConnection sleeper = new RawConnection(pair.proxyPort(), 20_000);
             RawConnection other = new RawConnection(pair.proxyPort(), 10_000)) {
            direct.call("SET", "big", "x".repeat(512 * 1024));
            sleeper.socket().setReceiveBufferSize(64 * 1024);
            StringBuilder gets = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                gets.append(multibulk("GET", "big"));
            }
            sleeper.send(gets.toString()); // 100 MB of replies it never reads
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (metric(pair, "respgate_connections_refused_total{reason=\"memory\"}") < 1
                    && System.nanoTime() < deadline) {
                assertEquals("+PONG\r\n", other.call("PING"), "another connection is served meanwhile");
                Thread.sleep(50);
            }
            assertEquals(1.0, metric(pair, "respgate_connections_refused_total{reason=\"memory\"}"));
            assertTrue(sleeper.closedByPeerAfterAnyBytes(), "the client that never reads is closed");
            assertEquals("+PONG\r\n", other.call("PING"));
        }
    }
}
