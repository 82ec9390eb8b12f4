package io.respgate.proxy.tls;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.ServerTlsConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPki;
import io.respgate.proxy.testing.TestPolicies;
import io.respgate.proxy.testing.TlsClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Client TLS on the listener with BoringSSL, against a real Redis, with a JDK TLS client. */
class ListenerTlsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued server;
    static ProxiedRedis pair;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        pki = TestPki.create(dir, "listener");
        server = pki.server("server");
        pair = ProxiedRedis.start();
        ServerTlsConfig tls = ServerTlsConfig.of(server.cert(), server.key());
        pair.startProxy(new RespGateConfig(new ListenConfig(ProxiedRedis.HOST, 0).withTls(tls),
                UpstreamConfig.of(ProxiedRedis.HOST, pair.redisPort()), LimitsConfig.defaults()),
                TestPolicies.transparent());
    }

    @AfterAll
    static void stop() throws Exception {
        if (pair != null) {
            pair.close();
        }
    }

    @Test
    void commandsRunOverTls13WithBoringSsl() throws Exception {
        assertTrue(TlsEngine.boringSslAvailable(), "BoringSSL must load on linux-x86_64");
        SSLContext ctx = TlsClients.context(pki.caCert(), null);
        try (SSLSocket socket = TlsClients.connect(ctx, pair.proxyPort());
             RawConnection c = new RawConnection(socket, 10_000)) {
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
            assertEquals("+PONG\r\n", c.call("PING"));
            assertEquals("+OK\r\n", c.call("SET", "tls:k", "v"));
            assertEquals("$1\r\nv\r\n", c.call("GET", "tls:k"));
        }
    }

    @Test
    void tls12IsAcceptedToo() throws Exception {
        SSLContext ctx = TlsClients.context(pki.caCert(), null);
        try (SSLSocket socket = TlsClients.connect(ctx, pair.proxyPort(), "TLSv1.2");
             RawConnection c = new RawConnection(socket, 10_000)) {
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    @Test
    void plaintextClientOnTheTlsPortIsClosedAndOthersCarryOn() throws Exception {
        SSLContext ctx = TlsClients.context(pki.caCert(), null);
        try (RawConnection tlsClient = TlsClients.raw(ctx, pair.proxyPort());
             RawConnection plain = new RawConnection(pair.proxyPort(), 5_000)) {
            assertEquals("+OK\r\n", tlsClient.call("SET", "other", "1"));
            plain.send("*1\r\n$4\r\nPING\r\n");
            assertTrue(plain.closedByPeerAfterAnyBytes(), "the proxy must close a plaintext connection on its TLS port");
            assertEquals("$1\r\n1\r\n", tlsClient.call("GET", "other"));
        }
    }

}
