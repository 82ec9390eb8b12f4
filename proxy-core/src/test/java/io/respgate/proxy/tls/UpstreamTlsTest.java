package io.respgate.proxy.tls;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.TlsProtocols;
import io.respgate.config.UpstreamConfig;
import io.respgate.config.UpstreamTlsConfig;
import io.respgate.proxy.RespGateServer;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPki;
import io.respgate.proxy.testing.TestPolicies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** TLS from the proxy to a real TLS redis-server: verification on by default, SNI, client certificates. */
class UpstreamTlsTest {
    static final String UNAVAILABLE = "-ERR upstream unavailable: RespGate could not reach Redis (TLS handshake failed)\r\n";

    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki foreignCa;
    static TestPki.Issued proxyClient;
    static RedisProcess redis;
    static int tlsPort;
    static RedisProcess mutualRedis;
    static int mutualTlsPort;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        pki = TestPki.create(dir, "redis");
        foreignCa = TestPki.create(dir.resolve("foreign"), "foreign");
        TestPki.Issued server = pki.server("redis-server");
        proxyClient = pki.issue("proxy-client", "/CN=respgate", List.of(), 2, TestPki.KeyFormat.TRADITIONAL_EC);
        tlsPort = RedisProcess.freePort();
        redis = RedisProcess.start(tlsArgs(server, tlsPort, "no"));
        mutualTlsPort = RedisProcess.freePort();
        mutualRedis = RedisProcess.start(tlsArgs(server, mutualTlsPort, "yes"));
    }

    static String[] tlsArgs(TestPki.Issued server, int port, String authClients) {
        return new String[] {"--tls-port", Integer.toString(port), "--tls-cert-file", server.cert().toString(),
                "--tls-key-file", server.key().toString(), "--tls-ca-cert-file", pki.caCert().toString(),
                "--tls-auth-clients", authClients};
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
        if (mutualRedis != null) {
            mutualRedis.close();
        }
    }

    static UpstreamTlsConfig tls(Path ca, TestPki.Issued client, String serverName, boolean verify) {
        return new UpstreamTlsConfig(Optional.ofNullable(ca), Optional.ofNullable(client).map(TestPki.Issued::cert),
                Optional.ofNullable(client).map(TestPki.Issued::key), Optional.ofNullable(serverName), verify, verify,
                TlsProtocols.DEFAULT, List.of(), false);
    }

    static RespGateServer proxy(String host, int port, UpstreamTlsConfig tls) throws Exception {
        return RespGateServer.start(new RespGateConfig(new ListenConfig("127.0.0.1", 0),
                UpstreamConfig.of(host, port).withTls(tls), LimitsConfig.defaults()), TestPolicies.transparent());
    }

    static String call(RespGateServer proxy, String... command) throws Exception {
        try (RawConnection c = new RawConnection(proxy.boundAddress().getPort())) {
            return c.call(command);
        }
    }

    @Test
    void verifiedTlsToRedisByIpAddress() throws Exception {
        try (RespGateServer proxy = proxy("127.0.0.1", tlsPort, tls(pki.caCert(), null, null, true));
             RawConnection c = new RawConnection(proxy.boundAddress().getPort())) {
            assertEquals("+OK\r\n", c.call("SET", "tls:up", "1"));
            assertEquals("$1\r\n1\r\n", c.call("GET", "tls:up"));
            String info = c.call("CLIENT", "INFO");
            assertTrue(info.contains("laddr=127.0.0.1:" + tlsPort + " "), "the proxy must use Redis's TLS port: " + info);
        }
    }

    @Test
    void verifiedTlsToRedisByHostNameSendsSniAndChecksTheName() throws Exception {
        try (RespGateServer proxy = proxy("localhost", tlsPort, tls(pki.caCert(), null, null, true))) {
            assertEquals("+PONG\r\n", call(proxy, "PING"));
        }
    }

    @Test
    void wrongServerNameIsRefused() throws Exception {
        try (RespGateServer proxy = proxy("127.0.0.1", tlsPort, tls(pki.caCert(), null, "wrong.example", true))) {
            assertEquals(UNAVAILABLE, call(proxy, "PING"));
        }
    }

    @Test
    void untrustedRedisCertificateIsRefused() throws Exception {
        try (RespGateServer proxy = proxy("127.0.0.1", tlsPort, tls(foreignCa.caCert(), null, null, true))) {
            assertEquals(UNAVAILABLE, call(proxy, "PING"));
        }
    }

    @Test
    void defaultTrustStoreDoesNotTrustAPrivateCa() throws Exception {
        try (RespGateServer proxy = proxy("127.0.0.1", tlsPort, tls(null, null, null, true))) {
            assertEquals(UNAVAILABLE, call(proxy, "PING"));
        }
    }

    @Test
    void verificationCanBeTurnedOffExplicitly() throws Exception {
        try (RespGateServer proxy = proxy("127.0.0.1", tlsPort, tls(null, null, "wrong.example", false))) {
            assertEquals("+PONG\r\n", call(proxy, "PING"));
        }
    }

    @Test
    void clientCertificateIsPresentedToRedisThatRequiresOne() throws Exception {
        try (RespGateServer without = proxy("127.0.0.1", mutualTlsPort, tls(pki.caCert(), null, null, true));
             RawConnection c = new RawConnection(without.boundAddress().getPort())) {
            // In TLS 1.3 Redis refuses the missing certificate after the proxy's handshake is done,
            // so the PING may already be on its way: the client gets an error or is disconnected.
            String reply;
            try {
                reply = c.call("PING");
            } catch (java.io.IOException closed) {
                reply = "closed";
            }
            assertTrue(reply.startsWith("-ERR upstream") || reply.equals("closed"), "Redis requires a client certificate: " + reply);
        }
        try (RespGateServer with = proxy("127.0.0.1", mutualTlsPort, tls(pki.caCert(), proxyClient, null, true))) {
            assertEquals("+PONG\r\n", call(with, "PING"));
        }
    }

    @Test
    void aFailedHandshakeLeavesTheClientConnectionUsableForItsErrors() throws Exception {
        try (RespGateServer proxy = proxy("127.0.0.1", tlsPort, tls(foreignCa.caCert(), null, null, true));
             RawConnection c = new RawConnection(proxy.boundAddress().getPort())) {
            assertEquals(UNAVAILABLE, c.call("PING"));
            assertEquals(UNAVAILABLE, c.call("PING"), "each command gets the error, the client stays connected");
        }
    }
}
