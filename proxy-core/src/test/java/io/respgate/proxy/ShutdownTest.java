package io.respgate.proxy;

import io.respgate.config.LimitsConfig;
import io.respgate.proxy.testing.TestPolicies;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graceful shutdown: no new connections, owed replies still delivered, then a bounded close. */
@Timeout(60)
class ShutdownTest {

    @Test
    void inFlightRepliesDrainBeforeTheConnectionCloses() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start();
             RawConnection client = new RawConnection(pair.proxyPort())) {
            int port = pair.proxyPort();
            assertEquals("+PONG\r\n", client.call("PING"));
            client.command("BLPOP", "q", "1");
            Thread.sleep(100);
            pair.proxy().shutdownGracefully();
            assertThrows(ConnectException.class, () -> new RawConnection(port).close(), "no new connections");
            assertEquals("*-1\r\n", client.readReply(), "the blocked command still gets its reply");
            assertTrue(client.closedByPeer());
            assertTrue(pair.proxy().awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void theDrainTimeoutBoundsAWaitForRepliesThatDoNotCome() throws Exception {
        LimitsConfig limits = new LimitsConfig(1024, 1 << 20, 1024, 64, 1 << 20, Duration.ofMillis(500));
        try (ProxiedRedis pair = ProxiedRedis.start(TestPolicies.transparent(), limits);
             RawConnection client = new RawConnection(pair.proxyPort())) {
            client.command("BLPOP", "q", "0");
            Thread.sleep(100);
            long start = System.nanoTime();
            pair.proxy().shutdownGracefully();
            assertTrue(pair.proxy().awaitTermination(10, TimeUnit.SECONDS));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 400 && millis < 5000, "stopped after the drain timeout, took " + millis + " ms");
            assertTrue(client.closedByPeer());
        }
    }

    @Test
    void idleConnectionsCloseAtOnce() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start();
             RawConnection client = new RawConnection(pair.proxyPort())) {
            assertEquals("+PONG\r\n", client.call("PING"));
            long start = System.nanoTime();
            pair.proxy().shutdownGracefully();
            assertTrue(client.closedByPeer());
            assertTrue(pair.proxy().awaitTermination(10, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        }
    }

}
