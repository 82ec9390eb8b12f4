package io.respgate.proxy.limits;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.LimitsConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connects to an unreachable Redis back off, fail fast meanwhile, and recover (issue 7). */
@Timeout(90)
class UpstreamBackoffTest {
    static final String REFUSED = "-ERR upstream unavailable: RespGate could not reach Redis (connection refused)\r\n";
    static final String NOT_RESOLVED = "-ERR upstream unavailable: RespGate could not reach Redis (host name not resolved)\r\n";

    private static double metric(ProxiedRedis pair, String name) {
        String scrape = pair.proxy().metrics().scrape();
        return Arrays.stream(scrape.split("\n")).filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not exported:\n" + scrape));
    }

    /**
     * A MULTI pipelined behind a SUBSCRIBE waits for Redis to confirm the subscription; when Redis cannot
     * be reached, the SUBSCRIBE gets the error and the held commands then run and get theirs, in order.
     */
    @Test
    void commandsHeldBehindASubscribeAreAnsweredWhenRedisIsUnreachable() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start()) {
            int port = pair.redisPort();
            pair.redis().close();
            pair.startProxy(TestPolicies.transparent(), UpstreamConfig.of(ProxiedRedis.HOST, port),
                    LimitsConfig.defaults());
            try (RawConnection c = new RawConnection(pair.proxyPort(), 5000)) {
                c.send(RawConnection.multibulk("SUBSCRIBE", "a") + RawConnection.multibulk("MULTI")
                        + RawConnection.multibulk("PING"));
                for (int i = 0; i < 3; i++) {
                    assertEquals(REFUSED, c.readReply(), "reply " + i);
                }
                assertEquals(REFUSED, c.call("EXEC"), "no transaction is left open");
                assertEquals("+OK\r\n", c.call("QUIT"));
            }
        }
    }

    @Test
    void aClientStormAgainstADeadRedisIsNotAConnectStormAndServiceComesBack() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start()) {
            int port = pair.redisPort();
            pair.redis().close(); // nothing listens on the port now
            pair.startProxy(TestPolicies.transparent(), UpstreamConfig.of(ProxiedRedis.HOST, port),
                    LimitsConfig.defaults());
            int clients = 20;
            int commandsEach = 40;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            long start = System.nanoTime();
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    results.add(pool.submit(() -> {
                        int errors = 0;
                        try (RawConnection c = new RawConnection(pair.proxyPort(), 5000)) {
                            for (int k = 0; k < commandsEach; k++) {
                                assertEquals(REFUSED, c.call("GET", "k"));
                                errors++;
                                Thread.sleep(25);
                            }
                            // Local replies are not held up by the backoff.
                            assertEquals("+OK\r\n", c.call("QUIT"));
                        }
                        return errors;
                    }));
                }
                int answered = 0;
                for (Future<Integer> r : results) {
                    answered += r.get(60, TimeUnit.SECONDS);
                }
                assertEquals(clients * commandsEach, answered);
            } finally {
                pool.shutdownNow();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double attempts = metric(pair, "respgate_upstream_connect_failures_total");
            double skipped = metric(pair, "respgate_upstream_connect_backoff_total");
            System.out.printf("backoff: %d commands from %d clients in %.1f s against a dead port:"
                    + " %.0f connect attempts, %.0f skipped%n", clients * commandsEach, clients, seconds, attempts,
                    skipped);
            // Windows of 100, 200, 400, 800 ms...: a handful of attempts, plus the connects that were
            // already under way when the first one failed.
            assertTrue(attempts <= clients + 8, "connect attempts: " + attempts);
            assertTrue(skipped >= clients * commandsEach - attempts - clients, "skipped: " + skipped);
            assertTrue(metric(pair, "respgate_upstream_connect_backoff_window_seconds") > 0);

            try (RedisProcess back = RedisProcess.startOnPort(port);
                 RawConnection c = new RawConnection(pair.proxyPort(), 5000)) {
                long restarted = System.nanoTime();
                String reply = c.call("PING");
                while (!reply.equals("+PONG\r\n") && System.nanoTime() - restarted < 8_000_000_000L) {
                    assertEquals(REFUSED, reply, "during the window the last failure's error comes at once");
                    Thread.sleep(50);
                    reply = c.call("PING");
                }
                assertEquals("+PONG\r\n", reply);
                long recoveredMillis = (System.nanoTime() - restarted) / 1_000_000;
                System.out.println("backoff: served again " + recoveredMillis + " ms after Redis was back");
                assertTrue(recoveredMillis <= 5_500, "back within the longest window: " + recoveredMillis + " ms");
                assertEquals(0.0, metric(pair, "respgate_upstream_connect_backoff_window_seconds"));
                try (Jedis jedis = new Jedis(ProxiedRedis.HOST, pair.proxyPort())) {
                    assertEquals("OK", jedis.set("k", "v"), "new connections connect at once after a success");
                }
            }
        }
    }

    @Test
    void anUnresolvableHostNameGivesItsOwnErrorAndBacksOff() throws Exception {
        try (ProxiedRedis pair = ProxiedRedis.start()) {
            pair.startProxy(TestPolicies.transparent(), UpstreamConfig.of("nonexistent.invalid", 6379),
                    LimitsConfig.defaults());
            try (RawConnection first = new RawConnection(pair.proxyPort(), 10_000);
                 RawConnection second = new RawConnection(pair.proxyPort(), 10_000)) {
                assertEquals(NOT_RESOLVED, first.call("PING"));
                long start = System.nanoTime();
                assertEquals(NOT_RESOLVED, second.call("PING"), "the next sign-in fails fast with the same error");
                assertTrue(System.nanoTime() - start < 50_000_000L, "no look-up while backing off");
            }
            try (Jedis jedis = new Jedis(ProxiedRedis.HOST, pair.proxyPort())) {
                JedisDataException e = assertThrows(JedisDataException.class, jedis::ping);
                assertEquals(NOT_RESOLVED.substring(1, NOT_RESOLVED.length() - 2), e.getMessage());
            }
            assertEquals(1.0, metric(pair, "respgate_upstream_connect_failures_total"));
            assertTrue(metric(pair, "respgate_upstream_connect_backoff_total") >= 2.0);
        }
    }
}
