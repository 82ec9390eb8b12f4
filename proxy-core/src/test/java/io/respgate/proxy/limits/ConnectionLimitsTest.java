package io.respgate.proxy.limits;

import io.respgate.config.AuditConfig;
import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code limits.max_clients} and {@code limits.max_connections_per_source} (issue 7). */
@Timeout(60)
class ConnectionLimitsTest {
    static final String MAX_CLIENTS = "-ERR max number of clients reached\r\n";
    static final String MAX_PER_SOURCE = "-ERR max number of clients reached for this source address\r\n";

    @TempDir
    Path dir;

    private static void startProxy(ProxiedRedis pair, LimitsConfig limits, Path audit) throws Exception {
        RespGateConfig config = new RespGateConfig(new ListenConfig(ProxiedRedis.HOST, 0),
                UpstreamConfig.of(ProxiedRedis.HOST, pair.redisPort()), limits);
        if (audit != null) {
            config = config.withAudit(new AuditConfig(audit, AuditConfig.KeyMode.HASHED));
        }
        pair.startProxy(config, TestPolicies.transparent());
    }

    @Test
    void oneConnectionTooManyGetsRedisErrorAndTheOthersGoOn() throws Exception {
        Path audit = dir.resolve("audit.jsonl");
        List<RawConnection> open = new ArrayList<>();
        try (ProxiedRedis pair = ProxiedRedis.start()) {
            startProxy(pair, LimitsConfig.defaults().withConnectionLimits(3, 0), audit);
            try {
                for (int i = 0; i < 3; i++) {
                    RawConnection c = new RawConnection(pair.proxyPort());
                    open.add(c);
                    assertEquals("+OK\r\n", c.call("SET", "k" + i, "v"));
                }
                try (RawConnection extra = new RawConnection(pair.proxyPort(), 5000)) {
                    assertEquals(MAX_CLIENTS, extra.readReply(), "the error is sent without waiting for a command");
                    assertTrue(extra.closedByPeer());
                }
                // A client that sends its first command at once still reads the error.
                try (RawConnection extra = new RawConnection(pair.proxyPort(), 5000)) {
                    extra.command("PING");
                    assertEquals(MAX_CLIENTS, extra.readReply());
                    assertTrue(extra.closedByPeer());
                }
                // And so does a real client library.
                try (Jedis jedis = new Jedis(ProxiedRedis.HOST, pair.proxyPort())) {
                    JedisDataException e = assertThrows(JedisDataException.class, jedis::ping);
                    assertEquals("ERR max number of clients reached", e.getMessage());
                }
                for (int i = 0; i < 3; i++) {
                    assertEquals("$1\r\nv\r\n", open.get(i).call("GET", "k" + i), "connection " + i + " unaffected");
                }
                String metrics = pair.proxy().metrics().scrape();
                assertTrue(metrics.contains("respgate_connections_refused_total{reason=\"max_clients\"} 3.0"), metrics);
                assertTrue(metrics.contains("respgate_connections_active 3.0"), metrics);
                open.remove(0).close();
                try (RawConnection next = awaitAdmitted(pair.proxyPort())) {
                    assertEquals("+PONG\r\n", next.call("PING"), "a freed slot is taken again");
                }
            } finally {
                for (RawConnection c : open) {
                    c.close();
                }
            }
            pair.stopProxy(); // flushes the audit log
        }
        String lines = Files.readString(audit);
        assertTrue(lines.contains("\"event\":\"connection_refused\"") && lines.contains("\"reason\":\"max_clients\""),
                lines);
    }

    @Test
    void perSourceLimitRefusesOnlyThatAddress() throws Exception {
        List<RawConnection> open = new ArrayList<>();
        try (ProxiedRedis pair = ProxiedRedis.start()) {
            startProxy(pair, LimitsConfig.defaults().withConnectionLimits(100, 2), null);
            try {
                for (int i = 0; i < 2; i++) {
                    RawConnection c = new RawConnection(pair.proxyPort());
                    open.add(c);
                    assertEquals("+PONG\r\n", c.call("PING"));
                }
                try (RawConnection extra = new RawConnection(pair.proxyPort(), 5000)) {
                    assertEquals(MAX_PER_SOURCE, extra.readReply());
                    assertTrue(extra.closedByPeer());
                }
                // Another source address (all of 127/8 is loopback on Linux) is not affected.
                for (int i = 0; i < 2; i++) {
                    RawConnection other = fromSource("127.0.0.2", pair.proxyPort());
                    open.add(other);
                    assertEquals("+PONG\r\n", other.call("PING"), "127.0.0.2 has its own count");
                }
                try (RawConnection third = fromSource("127.0.0.2", pair.proxyPort())) {
                    assertEquals(MAX_PER_SOURCE, third.readReply());
                }
                for (RawConnection c : open) {
                    assertEquals("+PONG\r\n", c.call("PING"), "admitted connections are unaffected");
                }
                String metrics = pair.proxy().metrics().scrape();
                assertTrue(metrics.contains("respgate_connections_refused_total{reason=\"max_per_source\"} 2.0"),
                        metrics);
                open.remove(0).close();
                try (RawConnection next = awaitAdmitted(pair.proxyPort())) {
                    assertEquals("+PONG\r\n", next.call("PING"));
                }
            } finally {
                for (RawConnection c : open) {
                    c.close();
                }
            }
        }
    }

    private static RawConnection fromSource(String source, int port) throws Exception {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        socket.connect(new InetSocketAddress(ProxiedRedis.HOST, port), 2000);
        return new RawConnection(socket, 5000);
    }

    /** A connection admitted once the slot of a closed one is given back (the close is asynchronous). */
    private static RawConnection awaitAdmitted(int port) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            RawConnection c = new RawConnection(port, 5000);
            String reply = c.call("PING");
            if (reply.equals("+PONG\r\n")) {
                return c;
            }
            c.close();
            Thread.sleep(50);
        }
        throw new AssertionError("no slot was given back after a connection closed");
    }
}
