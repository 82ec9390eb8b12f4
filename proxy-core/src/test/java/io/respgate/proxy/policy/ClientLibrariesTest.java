package io.respgate.proxy.policy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.respgate.proxy.policy.Fixtures.GUARDRAIL_PREFIX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real clients (Jedis, Lettuce over RESP3 HELLO AUTH, redis-cli) signing in as ACL users. */
@Timeout(90)
class ClientLibrariesTest {
    private static final String KEYS_TEXT = "NOPERM this user has no permissions to access one of the keys used as arguments";

    @Test
    void jedisAuthAfterConnect() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             Jedis jedis = new Jedis(ProxiedRedis.HOST, pair.proxyPort())) {
            JedisDataException noauth = assertThrows(JedisDataException.class, () -> jedis.get("app:k"));
            assertTrue(noauth.getMessage().startsWith("NOAUTH"), noauth.getMessage());
            JedisDataException wrong = assertThrows(JedisDataException.class, () -> jedis.auth("alice", "wrong"));
            assertTrue(wrong.getMessage().startsWith("WRONGPASS"), wrong.getMessage());
            assertEquals("OK", jedis.auth("alice", Fixtures.ALICE_PASS));
            assertEquals("OK", jedis.set("app:k", "v"));
            assertEquals("v", jedis.get("app:k"));
            JedisDataException keys = assertThrows(JedisDataException.class, () -> jedis.set("other", "v"));
            assertEquals(KEYS_TEXT, keys.getMessage());
            JedisDataException guard = assertThrows(JedisDataException.class, jedis::flushAll);
            assertTrue(("-" + guard.getMessage()).startsWith(GUARDRAIL_PREFIX), guard.getMessage());
            assertEquals("PONG", jedis.ping(), "the connection survives denials");
        }
    }

    @Test
    void jedisClientConfigWithUserAndPassword() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard()) {
            DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
                    .user("alice").password(Fixtures.ALICE_PASS).timeoutMillis(10_000).build();
            try (Jedis jedis = new Jedis(new HostAndPort(ProxiedRedis.HOST, pair.proxyPort()), config)) {
                assertEquals(1L, jedis.rpush("app:list", "x"));
                assertEquals(List.of("x"), jedis.lrange("app:list", 0, -1));
                JedisDataException keys = assertThrows(JedisDataException.class,
                        () -> jedis.rename("app:list", "other"));
                assertEquals(KEYS_TEXT, keys.getMessage());
            }
            DefaultJedisClientConfig bad = DefaultJedisClientConfig.builder()
                    .user("alice").password("wrong").timeoutMillis(10_000).build();
            Exception refused = assertThrows(Exception.class, () -> {
                try (Jedis jedis = new Jedis(new HostAndPort(ProxiedRedis.HOST, pair.proxyPort()), bad)) {
                    jedis.ping();
                }
            });
            assertTrue(String.valueOf(causeChain(refused)).contains("WRONGPASS"), causeChain(refused));
        }
    }

    @Test
    void lettuceResp3HelloAuth() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard()) {
            RedisURI uri = RedisURI.builder().withHost(ProxiedRedis.HOST).withPort(pair.proxyPort())
                    .withAuthentication("alice", Fixtures.ALICE_PASS).withTimeout(Duration.ofSeconds(10)).build();
            RedisClient client = RedisClient.create(uri);
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> sync = connection.sync();
                assertEquals("OK", sync.set("app:k", "v"));
                assertEquals("v", sync.get("app:k"));
                assertEquals(Boolean.TRUE, sync.hset("app:h", "f", "v"));
                assertEquals(java.util.Map.of("f", "v"), sync.hgetall("app:h"));
                RedisCommandExecutionException keys = assertThrows(RedisCommandExecutionException.class,
                        () -> sync.get("other"));
                assertEquals(KEYS_TEXT, keys.getMessage());
                RedisCommandExecutionException guard = assertThrows(RedisCommandExecutionException.class,
                        sync::flushall);
                assertTrue(("-" + guard.getMessage()).startsWith(GUARDRAIL_PREFIX), guard.getMessage());
                assertEquals("PONG", sync.ping());
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
            }
            try (RawConnection direct = new RawConnection(pair.redisPort())) {
                assertEquals("$1\r\nv\r\n", direct.call("GET", "app:k"), "Lettuce's write reached Redis");
            }
        }
    }

    @Test
    void lettuceWithWrongPasswordIsRefused() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard()) {
            RedisURI uri = RedisURI.builder().withHost(ProxiedRedis.HOST).withPort(pair.proxyPort())
                    .withAuthentication("alice", "wrong").withTimeout(Duration.ofSeconds(10)).build();
            RedisClient client = RedisClient.create(uri);
            try {
                Exception refused = assertThrows(Exception.class, client::connect);
                assertTrue(causeChain(refused).contains("WRONGPASS"), causeChain(refused));
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void redisCliWithUserAndPassword() throws Exception {
        assumeTrue(onPath("redis-cli"), "redis-cli is not on PATH");
        try (ProxiedRedis pair = Fixtures.startStandard()) {
            assertEquals("OK", cli(pair, "alice", Fixtures.ALICE_PASS, "SET", "app:cli", "hello").trim());
            assertEquals("hello", cli(pair, "alice", Fixtures.ALICE_PASS, "GET", "app:cli").trim());
            String denied = cli(pair, "alice", Fixtures.ALICE_PASS, "GET", "other");
            assertTrue(denied.contains(KEYS_TEXT), denied);
            String guard = cli(pair, "alice", Fixtures.ALICE_PASS, "FLUSHALL");
            assertTrue(guard.contains(GUARDRAIL_PREFIX.substring(1)), guard);
            String wrong = cli(pair, "alice", "wrong", "GET", "app:cli");
            assertTrue(wrong.contains("WRONGPASS"), wrong);
            assertTrue(!wrong.contains("hello"), wrong);
            try (RawConnection direct = new RawConnection(pair.redisPort())) {
                assertEquals("$5\r\nhello\r\n", direct.call("GET", "app:cli"));
            }
        }
    }

    private static String cli(ProxiedRedis pair, String user, String pass, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("redis-cli", "--no-auth-warning", "--user", user, "--pass", pass,
                "-h", ProxiedRedis.HOST, "-p", String.valueOf(pair.proxyPort())));
        args.addAll(List.of(command));
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        process.getOutputStream().close();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("redis-cli did not finish: " + args);
        }
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static boolean onPath(String program) {
        try {
            Process p = new ProcessBuilder(program, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String causeChain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append(" <- ");
        }
        return sb.toString();
    }
}
