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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Swapping the listener's certificate while clients are connected: established connections keep
 * working (mid-pipeline), new handshakes get the new certificate, a broken file changes nothing.
 */
class CertificateRotationTest {
    @TempDir
    Path dir;
    TestPki pki;
    TestPki.Issued first;
    TestPki.Issued second;
    Path liveCert;
    Path liveKey;
    ProxiedRedis pair;
    SSLContext client;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        pki = TestPki.create(dir.resolve("pki"), "rotation");
        first = pki.server("first");
        second = pki.issue("second", "/CN=localhost/O=Rotated", List.of("DNS:localhost", "IP:127.0.0.1"), 2,
                TestPki.KeyFormat.TRADITIONAL_RSA);
        Path live = Files.createDirectories(dir.resolve("live"));
        liveCert = live.resolve("server.crt");
        liveKey = live.resolve("server.key");
        install(first);
        pair = ProxiedRedis.start();
        pair.startProxy(new RespGateConfig(new ListenConfig(ProxiedRedis.HOST, 0)
                .withTls(ServerTlsConfig.of(liveCert, liveKey)),
                UpstreamConfig.of(ProxiedRedis.HOST, pair.redisPort()), LimitsConfig.defaults()),
                TestPolicies.transparent());
        client = TlsClients.context(pki.caCert(), null);
    }

    @AfterEach
    void stop() throws Exception {
        if (pair != null) {
            pair.close();
        }
    }

    /** Writes the pair next to the live files and renames them over, as a deploy tool would. */
    void install(TestPki.Issued issued) throws Exception {
        Path cert = liveCert.resolveSibling("server.crt.new");
        Path key = liveKey.resolveSibling("server.key.new");
        Files.copy(issued.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(issued.key(), key, StandardCopyOption.REPLACE_EXISTING);
        Files.move(key, liveKey, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(cert, liveCert, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    BigInteger serialOf(TestPki.Issued issued) throws Exception {
        return PemFiles.certificates(issued.cert()).get(0).getSerialNumber();
    }

    BigInteger presentedSerial() throws Exception {
        try (SSLSocket socket = TlsClients.connect(client, pair.proxyPort())) {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    BigInteger awaitPresented(BigInteger expected) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        BigInteger seen = presentedSerial();
        while (!seen.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            seen = presentedSerial();
        }
        return seen;
    }

    static String pipeline(RawConnection c, String prefix, int n) throws Exception {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append(RawConnection.multibulk("SET", prefix + i, "v" + i));
        }
        for (int i = 0; i < n; i++) {
            out.append(RawConnection.multibulk("GET", prefix + i));
        }
        c.send(out.toString().getBytes(StandardCharsets.ISO_8859_1));
        StringBuilder replies = new StringBuilder();
        for (int i = 0; i < 2 * n; i++) {
            replies.append(c.readReply());
        }
        return replies.toString();
    }

    static String expected(int n) {
        StringBuilder out = new StringBuilder("+OK\r\n".repeat(n));
        for (int i = 0; i < n; i++) {
            String v = "v" + i;
            out.append('$').append(v.length()).append("\r\n").append(v).append("\r\n");
        }
        return out.toString();
    }

    @Test
    void newHandshakesGetTheNewCertificateWhileOldConnectionsKeepWorking() throws Exception {
        assertEquals(serialOf(first), presentedSerial());
        try (RawConnection old = TlsClients.raw(client, pair.proxyPort())) {
            // A pipeline is sent before the swap and its replies read after it.
            StringBuilder sent = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                sent.append(RawConnection.multibulk("SET", "rot:" + i, "v" + i));
            }
            old.send(sent.toString().getBytes(StandardCharsets.ISO_8859_1));

            install(second);
            assertEquals(serialOf(second), awaitPresented(serialOf(second)), "the watcher must load the new pair");

            for (int i = 0; i < 500; i++) {
                assertEquals("+OK\r\n", old.readReply());
            }
            assertEquals(expected(200), pipeline(old, "after:", 200), "the old connection keeps working");
        }
        try (RawConnection fresh = TlsClients.raw(client, pair.proxyPort())) {
            assertEquals(expected(50), pipeline(fresh, "fresh:", 50));
        }
    }

    @Test
    void aBrokenKeyFileKeepsTheOldCertificateInForce() throws Exception {
        install(second);
        assertEquals(serialOf(second), awaitPresented(serialOf(second)));
        Files.writeString(liveKey, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        assertFalse(pair.proxy().reloadTls(), "a broken key must be refused");
        Thread.sleep(600); // let the watcher see the change too
        assertEquals(serialOf(second), presentedSerial());
        try (RawConnection c = TlsClients.raw(client, pair.proxyPort())) {
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificateIsRefused() throws Exception {
        Files.copy(second.key(), liveKey, StandardCopyOption.REPLACE_EXISTING); // first's certificate stays
        assertFalse(pair.proxy().reloadTls());
        assertEquals(serialOf(first), presentedSerial());
    }

    @Test
    void anExpiredCertificateIsRefusedAndTheOldOneStays() throws Exception {
        TestPki.Issued expired = pki.issue("expired", "/CN=localhost", List.of("DNS:localhost", "IP:127.0.0.1"), -1,
                TestPki.KeyFormat.PKCS8_EC);
        install(expired);
        assertFalse(pair.proxy().reloadTls(), "an expired certificate must not be put in force");
        Thread.sleep(600); // the watcher sees the change too, and refuses it as well
        assertEquals(serialOf(first), presentedSerial());
    }
}
