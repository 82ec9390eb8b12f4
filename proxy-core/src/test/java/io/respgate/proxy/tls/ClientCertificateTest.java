package io.respgate.proxy.tls;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.ClientAuth;
import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.ServerTlsConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.policy.PolicySnapshot;
import io.respgate.proxy.RespGateServer;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.TestPki;
import io.respgate.proxy.testing.TestPolicies;
import io.respgate.proxy.testing.TlsClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Client certificates as identities: a mapped certificate signs the connection in as its user
 * with no AUTH, the user's rules apply, and unmapped, untrusted, expired or disabled-user
 * certificates are refused or must AUTH, as configured.
 */
class ClientCertificateTest {
    static final String ALICE_PASS = "alice-cert-test-pw";
    static final String SPIFFE = "spiffe://prod.example/ns/billing/sa/api";
    static final String CERTIFICATE_BOUND = "-ERR this connection is authenticated by its client certificate;"
            + " AUTH cannot change its user (connect without a certificate to sign in with a password)\r\n";

    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued billing;
    static TestPki.Issued reporter;
    static TestPki.Issued retired;
    static TestPki.Issued stranger;
    static TestPki.Issued expired;
    static TestPki.Issued foreign;
    static ProxiedRedis pair;
    static RespGateServer strict;

    static String policyYaml(String reporterCertificates) {
        return """
                users:
                  default:
                    acl: "off"
                  billing:
                    acl: "on ~bill:* &* +@all"
                    certificates: ["%s"]
                  reporter:
                    acl: "on ~* &* +@read +ping +hello +reset"
                    certificates: [%s]
                  retired:
                    acl: "off ~* +@all"
                    certificates: ["cn:retired"]
                  alice:
                    acl: "on #%s ~app:* &* +@all"
                """.formatted("uri:" + SPIFFE, reporterCertificates, TestPolicies.hash(ALICE_PASS));
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        pki = TestPki.create(dir, "clients");
        TestPki.Issued server = pki.server("server");
        billing = pki.issue("billing", "/CN=billing-api/O=Example", List.of("URI:" + SPIFFE, "DNS:billing.internal"),
                2, TestPki.KeyFormat.PKCS8_EC);
        reporter = pki.issue("reporter", "/CN=reporter", List.of(), 2, TestPki.KeyFormat.TRADITIONAL_RSA);
        retired = pki.issue("retired", "/CN=retired", List.of(), 2, TestPki.KeyFormat.PKCS8_EC);
        stranger = pki.issue("stranger", "/CN=stranger", List.of(), 2, TestPki.KeyFormat.PKCS8_EC);
        expired = pki.issue("expired", "/CN=reporter", List.of(), -1, TestPki.KeyFormat.PKCS8_EC);
        foreign = TestPki.create(dir.resolve("foreign"), "foreign")
                .issue("reporter", "/CN=reporter", List.of(), 2, TestPki.KeyFormat.PKCS8_EC);

        pair = ProxiedRedis.start();
        PolicySnapshot policy = TestPolicies.parse(policyYaml("\"cn:reporter\""));
        UpstreamConfig upstream = UpstreamConfig.of(ProxiedRedis.HOST, pair.redisPort());
        ServerTlsConfig base = ServerTlsConfig.of(server.cert(), server.key());
        pair.startProxy(new RespGateConfig(new ListenConfig(ProxiedRedis.HOST, 0)
                .withTls(base.withClientAuth(pki.caCert(), ClientAuth.OPTIONAL, false)), upstream,
                LimitsConfig.defaults()), policy);
        strict = RespGateServer.start(new RespGateConfig(new ListenConfig(ProxiedRedis.HOST, 0)
                .withTls(base.withClientAuth(pki.caCert(), ClientAuth.REQUIRE, true)), upstream,
                LimitsConfig.defaults()), policy);
    }

    @AfterAll
    static void stop() throws Exception {
        if (strict != null) {
            strict.close();
        }
        if (pair != null) {
            pair.close();
        }
    }

    static RawConnection connect(int port, TestPki.Issued cert) throws Exception {
        return TlsClients.raw(TlsClients.context(pki.caCert(), cert), port);
    }

    /** The server refused the connection: during the handshake, or with an error and a close after it. */
    static void assertRefused(int port, TestPki.Issued cert, String expectedError) throws Exception {
        RawConnection c;
        try {
            c = connect(port, cert);
        } catch (IOException e) {
            return; // refused in the handshake (TLS 1.2, or a client that waits for the server's verdict)
        }
        try (c) {
            String reply;
            try {
                reply = c.call("PING");
            } catch (IOException e) {
                if (expectedError == null) {
                    return; // TLS 1.3: the server's alert arrives after the client finished its part
                }
                throw e;
            }
            if (expectedError == null) {
                fail("expected the handshake to fail, got " + reply);
            }
            assertEquals(expectedError, reply);
            assertTrue(c.closedByPeer(), "the connection must close after the refusal");
        }
    }

    @Test
    void spiffeIdSignsInWithoutAuthAndTheUsersKeyPatternsApply() throws Exception {
        try (RawConnection c = connect(pair.proxyPort(), billing)) {
            assertEquals("+OK\r\n", c.call("SET", "bill:1", "42"));
            assertEquals("$2\r\n42\r\n", c.call("GET", "bill:1"));
            assertTrue(c.call("GET", "app:1").startsWith("-NOPERM"), "billing may only touch bill:* keys");
        }
    }

    @Test
    void commonNameMapsAndTheUsersCommandRulesApply() throws Exception {
        try (RawConnection c = connect(pair.proxyPort(), reporter)) {
            assertEquals("$-1\r\n", c.call("GET", "nothing"));
            assertTrue(c.call("SET", "x", "1").startsWith("-NOPERM"), "reporter is read-only");
        }
    }

    @Test
    void authCannotSwitchUserOnACertificateBoundConnection() throws Exception {
        try (RawConnection c = connect(pair.proxyPort(), reporter)) {
            assertEquals(CERTIFICATE_BOUND, c.call("AUTH", "alice", ALICE_PASS));
            assertEquals(CERTIFICATE_BOUND, c.call("HELLO", "2", "AUTH", "alice", ALICE_PASS));
            assertTrue(c.call("SET", "app:x", "1").startsWith("-NOPERM"), "still reporter, still read-only");
            assertTrue(c.call("HELLO", "2").startsWith("*"), "HELLO without AUTH still works");
            assertEquals("+RESET\r\n", c.call("RESET"));
            assertEquals("$-1\r\n", c.call("GET", "nothing"), "RESET keeps the certificate's user");
        }
    }

    @Test
    void unmappedCertificateMustAuthWhenClientAuthIsOptional() throws Exception {
        try (RawConnection c = connect(pair.proxyPort(), stranger)) {
            assertEquals("-NOAUTH Authentication required.\r\n", c.call("GET", "app:1"));
            assertEquals("+OK\r\n", c.call("AUTH", "alice", ALICE_PASS));
            assertEquals("+OK\r\n", c.call("SET", "app:1", "v"));
        }
    }

    @Test
    void clientWithoutCertificateMustAuthWhenClientAuthIsOptional() throws Exception {
        try (RawConnection c = connect(pair.proxyPort(), null)) {
            assertEquals("-NOAUTH Authentication required.\r\n", c.call("PING"));
            assertEquals("+OK\r\n", c.call("AUTH", "alice", ALICE_PASS));
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    @Test
    void certificateOfADisabledUserIsRefused() throws Exception {
        assertRefused(pair.proxyPort(), retired,
                "-ERR client certificate not accepted: its user is disabled or may not connect from this address\r\n");
    }

    @Test
    void certificateFromAnUntrustedCaIsRefusedInTheHandshake() throws Exception {
        assertRefused(pair.proxyPort(), foreign, null);
    }

    @Test
    void expiredCertificateIsRefusedInTheHandshake() throws Exception {
        assertRefused(pair.proxyPort(), expired, null);
    }

    @Test
    void requireMappedRefusesAnUnmappedCertificate() throws Exception {
        int port = strict.boundAddress().getPort();
        assertRefused(port, stranger, "-ERR client certificate not accepted: it maps to no RespGate user\r\n");
        try (RawConnection c = connect(port, billing)) {
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    @Test
    void requireRefusesAClientWithoutCertificate() throws Exception {
        assertRefused(strict.boundAddress().getPort(), null, null);
    }

    @Test
    void certificateMatchingTwoUsersIsRefusedAsAmbiguous() throws Exception {
        // The reporter's CN and billing's SPIFFE ID on one certificate.
        TestPki.Issued both = pki.issue("both", "/CN=reporter", List.of("URI:" + SPIFFE), 2, TestPki.KeyFormat.PKCS8_EC);
        assertRefused(pair.proxyPort(), both,
                "-ERR client certificate not accepted: it maps to more than one RespGate user\r\n");
    }

    @Test
    void policyReloadThatUnmapsTheCertificateClosesItsConnections() throws Exception {
        RespGateServer proxy = pair.proxy();
        PolicySnapshot before = proxy.policy();
        try (RawConnection c = connect(pair.proxyPort(), reporter)) {
            assertEquals("+PONG\r\n", c.call("PING"));
            proxy.applyPolicy(TestPolicies.parse(policyYaml("\"cn:someone-else\"")));
            try {
                String reply = c.call("PING");
                assertTrue(reply.isEmpty() || reply.startsWith("-"), "no command may run after the unmapping, got " + reply);
            } catch (IOException expected) {
                // closed
            }
            assertTrue(c.closedByPeer());
        } finally {
            proxy.applyPolicy(before);
        }
    }
}
