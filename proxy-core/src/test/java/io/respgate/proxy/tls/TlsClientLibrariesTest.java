package io.respgate.proxy.tls;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.ClientAuth;
import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.ServerTlsConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.TestPki;
import io.respgate.proxy.testing.TestPolicies;
import io.respgate.proxy.testing.TlsClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real TLS clients against the proxy: redis-cli --tls, Jedis, Lettuce, and openssl for what clients must not get. */
class TlsClientLibrariesTest {
    static final String ALICE_PASS = "alice-tls-libs-pw";

    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued service;
    static ProxiedRedis pair;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        pki = TestPki.create(dir, "libs");
        TestPki.Issued server = pki.server("server");
        service = pki.issue("service", "/CN=svc-lettuce", List.of("DNS:svc.internal"), 2, TestPki.KeyFormat.PKCS8_RSA);
        pair = ProxiedRedis.start();
        pair.startProxy(new RespGateConfig(new ListenConfig(ProxiedRedis.HOST, 0).withTls(
                ServerTlsConfig.of(server.cert(), server.key()).withClientAuth(pki.caCert(), ClientAuth.OPTIONAL, false)),
                UpstreamConfig.of(ProxiedRedis.HOST, pair.redisPort()), LimitsConfig.defaults()),
                TestPolicies.parse("""
                        users:
                          default:
                            acl: "off"
                          alice:
                            acl: "on #%s ~* &* +@all"
                          svc:
                            acl: "on ~svc:* &* +@all"
                            certificates: ["dns:svc.internal"]
                        """.formatted(TestPolicies.hash(ALICE_PASS))));
    }

    @AfterAll
    static void stop() throws Exception {
        if (pair != null) {
            pair.close();
        }
    }

    record Result(int exit, String output) {
    }

    static Result run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static void assumeOnPath(String tool) {
        assumeTrue(Path.of("/usr/bin", tool).toFile().canExecute() || Path.of("/usr/local/bin", tool).toFile().canExecute(),
                tool + " is not installed");
    }

    static List<String> cli(String... args) {
        List<String> c = new ArrayList<>(List.of("redis-cli", "--tls", "--cacert", pki.caCert().toString(),
                "-h", ProxiedRedis.HOST, "-p", Integer.toString(pair.proxyPort())));
        c.addAll(List.of(args));
        return c;
    }

    @Test
    void redisCliWithPassword() throws Exception {
        assumeOnPath("redis-cli");
        Result set = run(cli("--user", "alice", "--pass", ALICE_PASS, "--no-auth-warning", "SET", "cli:tls", "yes")
                .toArray(String[]::new));
        assertEquals("OK\n", set.output());
        Result get = run(cli("--user", "alice", "--pass", ALICE_PASS, "--no-auth-warning", "GET", "cli:tls")
                .toArray(String[]::new));
        assertEquals("yes\n", get.output());
        assertTrue(!get.output().contains(ALICE_PASS));
    }

    @Test
    void redisCliWithClientCertificateNeedsNoPassword() throws Exception {
        assumeOnPath("redis-cli");
        Result set = run(cli("--cert", service.cert().toString(), "--key", service.key().toString(),
                "SET", "svc:cli", "cert").toArray(String[]::new));
        assertEquals("OK\n", set.output());
        Result denied = run(cli("--cert", service.cert().toString(), "--key", service.key().toString(),
                "SET", "other:cli", "cert").toArray(String[]::new));
        assertTrue(denied.output().contains("NOPERM"), denied.output());
    }

    @Test
    void jedisOverTls() throws Exception {
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().ssl(true)
                .sslSocketFactory(TlsClients.context(pki.caCert(), null).getSocketFactory())
                .user("alice").password(ALICE_PASS).build();
        try (Jedis jedis = new Jedis(new HostAndPort(ProxiedRedis.HOST, pair.proxyPort()), config)) {
            assertEquals("OK", jedis.set("jedis:tls", "1"));
            assertEquals("1", jedis.get("jedis:tls"));
            assertThrows(JedisDataException.class, jedis::flushAll, "guardrails apply over TLS too");
        }
    }

    @Test
    void lettuceOverTlsWithAClientCertificate() throws Exception {
        SslOptions ssl = SslOptions.builder().jdkSslProvider()
                .trustManager(pki.caCert().toFile())
                .keyManager(service.cert().toFile(), service.key().toFile(), null)
                .build();
        RedisURI uri = RedisURI.builder().withHost("localhost").withPort(pair.proxyPort()).withSsl(true)
                .withVerifyPeer(SslVerifyMode.FULL).withTimeout(Duration.ofSeconds(10)).build();
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder().sslOptions(ssl).build());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            assertEquals("OK", redis.set("svc:lettuce", "resp3"));
            assertEquals("resp3", redis.get("svc:lettuce"));
            assertThrows(Exception.class, () -> redis.get("alice:key"), "svc may only touch svc:* keys");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void tls11ClientIsRefusedByTheServer() throws Exception {
        assumeOnPath("openssl");
        String port = "127.0.0.1:" + pair.proxyPort();
        Result modern = run("openssl", "s_client", "-connect", port, "-tls1_2", "-CAfile", pki.caCert().toString(), "-brief");
        assertEquals(0, modern.exit(), modern.output());
        Result old = run("openssl", "s_client", "-connect", port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-brief");
        assertNotEquals(0, old.exit(), old.output());
        // "tlsv1 alert protocol version ... SSL alert number 70": the refusal came from the server.
        assertTrue(old.output().contains("alert protocol version"), "the server must refuse TLS 1.1: " + old.output());
    }
}
