package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.respgate.proxy.fidelity.Fidelity.jedis;
import static io.respgate.proxy.fidelity.Fidelity.mb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many clients at once, and clients that vanish with work in flight. */
@ExtendWith(ProxyExtension.class)
@Timeout(90)
class ConcurrencyTest {
    private static final int CLIENTS = 200;
    private static final int ROUNDS = 100;

    @Test
    void twoHundredClientsInterleaveIncrs(ProxiedRedis redis) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            CountDownLatch connected = new CountDownLatch(CLIENTS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Void>> results = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    try (RawConnection c = new RawConnection(redis.proxyPort(), 30_000)) {
                        assertEquals("+PONG\r\n", c.call("PING"));
                        connected.countDown();
                        go.await();
                        for (int i = 1; i <= ROUNDS; i++) {
                            assertEquals(":" + i + "\r\n", c.call("INCR", "own:" + id));
                            String shared = c.call("INCR", "shared");
                            if (!shared.startsWith(":")) {
                                throw new AssertionError("client " + id + ": " + shared);
                            }
                            if (i % 10 == 0) { // a small pipeline now and then
                                c.send(mb("GET", "own:" + id) + mb("INCRBY", "own:" + id, "0"));
                                assertEquals("$" + Integer.toString(i).length() + "\r\n" + i + "\r\n", c.readReply());
                                assertEquals(":" + i + "\r\n", c.readReply());
                            }
                        }
                    }
                    return null;
                }));
            }
            connected.await(30, TimeUnit.SECONDS);
            assertEquals(0, connected.getCount(), "all clients connected");
            go.countDown();
            for (Future<Void> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Jedis d = jedis(redis.redisPort())) {
            assertEquals(Integer.toString(CLIENTS * ROUNDS), d.get("shared"));
            for (int t = 0; t < CLIENTS; t++) {
                assertEquals(Integer.toString(ROUNDS), d.get("own:" + t), "client " + t);
            }
        }
        awaitUpstreamsGone(redis);
    }

    /** Waits until Redis sees only the connection that asks (all the proxy's upstream links closed). */
    private static void awaitUpstreamsGone(ProxiedRedis redis) throws Exception {
        Fidelity.await(5000, "the proxy's upstream connections closed",
                () -> Fidelity.infoLong(redis.redisPort(), "clients", "connected_clients") == 1);
    }

    private static void assertProxyHealthy(ProxiedRedis redis) throws Exception {
        try (RawConnection fresh = new RawConnection(redis.proxyPort(), 5000)) {
            assertEquals("+PONG\r\n", fresh.call("PING"));
            assertEquals("+OK\r\n", fresh.call("SET", "healthy", "yes"));
            assertEquals("$3\r\nyes\r\n", fresh.call("GET", "healthy"));
        }
    }

    @Test
    void clientClosingWithTenThousandCommandsInFlight(ProxiedRedis redis) throws Exception {
        byte[] bytes = mb("INCR", "inflight").repeat(10_000).getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket(ProxiedRedis.HOST, redis.proxyPort())) {
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
        } // closed without reading a single reply
        assertProxyHealthy(redis);
        awaitUpstreamsGone(redis);
        Fidelity.await(5000, "no stale client connection in the proxy", () -> redis.proxy().openConnections() == 0);
    }

    @Test
    void clientResettingWithLargeRepliesPending(ProxiedRedis redis) throws Exception {
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("+OK\r\n", d.call("SET", "large", "x".repeat(256 * 1024)));
        }
        byte[] bytes = mb("GET", "large").repeat(2000).getBytes(StandardCharsets.US_ASCII);
        for (int round = 0; round < 3; round++) {
            Socket s = new Socket(ProxiedRedis.HOST, redis.proxyPort());
            s.setSoTimeout(5000);
            // The proxy pushes back on us (we read nothing), so write from another thread.
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(bytes);
                } catch (Exception expected) {
                    // the socket is closed under the writer
                }
            });
            writer.start();
            byte[] some = s.getInputStream().readNBytes(100_000);
            assertEquals(100_000, some.length, "replies started flowing");
            s.setSoLinger(true, 0); // RST instead of FIN
            s.close();
            writer.join(5000);
        }
        assertProxyHealthy(redis);
        awaitUpstreamsGone(redis);
    }

    @Test
    void clientClosingWhileBlocked(ProxiedRedis redis) throws Exception {
        try (RawConnection blocked = new RawConnection(redis.proxyPort())) {
            blocked.command("BLPOP", "never", "0");
            Fidelity.await(5000, "the BLPOP is blocked in Redis",
                    () -> Fidelity.infoLong(redis.redisPort(), "clients", "blocked_clients") == 1);
        }
        Fidelity.await(5000, "Redis no longer has a blocked client",
                () -> Fidelity.infoLong(redis.redisPort(), "clients", "blocked_clients") == 0);
        awaitUpstreamsGone(redis);
        try (RawConnection c = new RawConnection(redis.proxyPort())) {
            assertEquals(":1\r\n", c.call("RPUSH", "never", "v"));
            assertEquals(":1\r\n", c.call("LLEN", "never"), "the abandoned BLPOP did not pop the value");
        }
    }

    @Test
    void manyClientsResetRightAfterTheirFirstCommand(ProxiedRedis redis) throws Exception {
        byte[] command = mb("INCR", "vanish").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 300; i++) {
            try (Socket s = new Socket(ProxiedRedis.HOST, redis.proxyPort())) {
                s.setSoLinger(true, 0); // RST
                s.getOutputStream().write(command);
            }
        }
        assertProxyHealthy(redis);
        awaitUpstreamsGone(redis);
        Fidelity.await(5000, "the proxy dropped the vanished client connections",
                () -> redis.proxy().openConnections() == 0);
    }

    private static long fireAndForget(int port, String key, int clients) throws Exception {
        byte[] command = mb("INCR", key).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < clients; i++) {
            try (Socket s = new Socket(ProxiedRedis.HOST, port)) {
                s.getOutputStream().write(command);
            } // an orderly close (FIN) right after the write, without waiting for the reply
        }
        return clients;
    }

    /**
     * A client that writes a command and closes at once (say {@code printf 'INCR k\r\n' | nc -q0})
     * has its command run by Redis, which reads the bytes before it sees the end of the stream.
     */
    @Test
    void commandsFromClientsThatCloseWithoutWaitingStillRun(ProxiedRedis redis) throws Exception {
        long sent = fireAndForget(redis.redisPort(), "ff:direct", 100);
        Fidelity.await(5000, "Redis ran every fire-and-forget INCR", () -> counter(redis, "ff:direct") == sent);
        fireAndForget(redis.proxyPort(), "ff:proxy", 100);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (counter(redis, "ff:proxy") < sent && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(sent, counter(redis, "ff:proxy"), "INCRs that reached Redis through the proxy");
        awaitUpstreamsGone(redis);
    }

    private static long counter(ProxiedRedis redis, String key) throws Exception {
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            String reply = d.call("GET", key);
            return reply.equals("$-1\r\n") ? 0 : Long.parseLong(reply.split("\r\n")[1]);
        }
    }

    /** A client that half-closes after its request ({@code nc -N}) still gets the reply from Redis. */
    @Test
    void halfClosedClientStillGetsItsReply(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            for (int i = 0; i < 10; i++) {
                try (Socket s = new Socket(ProxiedRedis.HOST, port)) {
                    s.setSoTimeout(5000);
                    s.getOutputStream().write(mb("ECHO", "half-" + i).getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    byte[] reply = s.getInputStream().readAllBytes();
                    assertEquals(Fidelity.bulk("half-" + i), new String(reply, StandardCharsets.US_ASCII),
                            "port " + port + ", attempt " + i);
                }
            }
        }
    }

    /** Redis drops one client's connection: that client is closed, and only that one. */
    @Test
    void upstreamKilledClosesOnlyThatClient(ProxiedRedis redis) throws Exception {
        try (RawConnection victim = new RawConnection(redis.proxyPort(), 5000);
             RawConnection bystander = new RawConnection(redis.proxyPort(), 5000);
             RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("+OK\r\n", victim.call("CLIENT", "SETNAME", "victim"));
            assertEquals("+OK\r\n", bystander.call("SET", "b", "1"));
            String list = d.call("CLIENT", "LIST");
            String id = list.replaceAll("(?s).*id=(\\d+) [^\n]*name=victim .*", "$1");
            assertEquals(":1\r\n", d.call("CLIENT", "KILL", "ID", id));
            assertTrue(victim.closedByPeer(), "the client whose upstream was killed is closed");
            assertEquals("$1\r\n1\r\n", bystander.call("GET", "b"));
        }
        assertProxyHealthy(redis);
    }

    /** With the upstream link already open, the last command before the client's close reaches Redis. */
    @Test
    void lastCommandBeforeCloseRunsOnAnEstablishedConnection(ProxiedRedis redis) throws Exception {
        for (int i = 0; i < 50; i++) {
            try (RawConnection c = new RawConnection(redis.proxyPort())) {
                assertEquals("+PONG\r\n", c.call("PING"));
                c.command("INCR", "established");
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (counter(redis, "established") < 50 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(50, counter(redis, "established"));
    }
}
