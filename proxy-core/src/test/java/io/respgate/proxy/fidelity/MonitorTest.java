package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MONITOR streams replies that answer no command; the proxy passes them through in order. */
@ExtendWith(ProxyExtension.class)
@Timeout(30)
class MonitorTest {

    @Test
    void monitorSeesCommandsFromOtherClients(ProxiedRedis redis) throws Exception {
        try (RawConnection monitor = new RawConnection(redis.proxyPort(), 5000);
             RawConnection other = new RawConnection(redis.proxyPort())) {
            assertEquals("+OK\r\n", monitor.call("MONITOR"));
            for (int i = 0; i < 100; i++) {
                assertEquals("+OK\r\n", other.call("SET", "mk" + i, "v\r\n" + i));
            }
            for (int i = 0; i < 100; i++) {
                String line = monitor.readReply();
                assertTrue(line.startsWith("+") && line.endsWith("\"SET\" \"mk" + i + "\" \"v\\r\\n" + i + "\"\r\n"),
                        line);
            }
            monitor.command("QUIT");
            String last;
            do {
                last = monitor.readReply();
            } while (!last.equals("+OK\r\n"));
            assertTrue(monitor.closedByPeer());
        }
    }
}
