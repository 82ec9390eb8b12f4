package io.respgate.proxy;

import io.respgate.config.LimitsConfig;
import io.respgate.proxy.testing.TestPolicies;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static io.respgate.proxy.testing.RawConnection.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A client that sends without reading its replies is stopped, not buffered without bound. */
@Timeout(120)
class BackpressureTest {
    private static final int PAIRS = 5_000;

    @Test
    void aClientThatDoesNotReadIsPausedAndLosesNothing() throws Exception {
        LimitsConfig limits = new LimitsConfig(1024 * 1024, 512L << 20, 64 * 1024, 64, 1L << 20, Duration.ofSeconds(5));
        try (ProxiedRedis pair = ProxiedRedis.start(TestPolicies.transparent(), limits);
             RawConnection direct = new RawConnection(pair.redisPort());
             RawConnection client = new RawConnection(pair.proxyPort(), 30_000)) {
            direct.call("SET", "big", "x".repeat(16 * 1024));
            byte[] pairBytes = (multibulk("INCR", "sent") + multibulk("GET", "big")).getBytes(StandardCharsets.ISO_8859_1);
            OutputStream out = client.socket().getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < PAIRS; i++) {
                        out.write(pairBytes);
                    }
                    out.flush();
                } catch (Exception ignored) {
                    // the socket closes at the end of the test if the writer is still blocked
                }
            });
            writer.setDaemon(true);
            writer.start();

            long settled = waitUntilStable(direct);
            System.out.println("backpressure: Redis ran " + settled + " INCRs before the proxy paused the client");
            // Without back-pressure Redis runs all 5,000. With it, what runs is one read batch of the
            // client (64 KiB, about 1,400 pairs: limits are checked between batches) plus the replies
            // the kernel's socket buffers absorb (a few MB of 16 KiB replies), which varies with load.
            assertTrue(settled < PAIRS / 2,
                    "Redis ran " + settled + " of " + PAIRS + " commands although the client read nothing");

            for (int i = 1; i <= PAIRS; i++) {
                assertEquals(":" + i + "\r\n", client.readReply(), "INCR reply " + i);
                String value = client.readReply();
                assertEquals(16 * 1024 + 10, value.length(), "GET reply " + i);
            }
            writer.join(10_000);
            assertEquals("$4\r\n5000\r\n", direct.call("GET", "sent"));
        }
    }

    /** Polls the counter until it stops moving for a second; returns its value. */
    private static long waitUntilStable(RawConnection direct) throws Exception {
        long last = -1;
        for (int round = 0; round < 30; round++) {
            Thread.sleep(1000);
            String reply = direct.call("GET", "sent");
            long now = reply.startsWith("$-1") ? 0 : Long.parseLong(reply.substring(reply.indexOf('\n') + 1).trim());
            if (now == last && now > 0) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("the counter never settled: the proxy kept reading a client that reads nothing");
    }
}
