package io.respgate.proxy.tls;

import io.respgate.config.ClientAuth;
import io.respgate.config.ConfigException;
import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.ServerTlsConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.policy.PolicySnapshot;
import io.respgate.proxy.RespGateServer;
import io.respgate.proxy.testing.TestPki;
import io.respgate.proxy.testing.TestPolicies;
import io.respgate.proxy.testing.TlsClients;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RespGate refuses to start (or to load a policy) in a setup that exposes Redis on a network, and
 * says which setting to change. The listener binds the wildcard address; every connection in the
 * test still goes to loopback.
 */
class ExposureRefusalTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static ServerTlsConfig tls;
    static final UpstreamConfig UPSTREAM = UpstreamConfig.of("127.0.0.1", 6379);

    @BeforeAll
    static void certificates() throws Exception {
        pki = TestPki.create(dir, "exposure");
        TestPki.Issued server = pki.server("server");
        tls = ServerTlsConfig.of(server.cert(), server.key());
    }

    static RespGateConfig config(ListenConfig listen) {
        return new RespGateConfig(listen, UPSTREAM, LimitsConfig.defaults());
    }

    static PolicySnapshot closedPolicy() {
        return TestPolicies.parse("""
                users:
                  default:
                    acl: "off"
                  app:
                    acl: "on #%s ~* +@all"
                """.formatted(TestPolicies.hash("app-pw")));
    }

    @Test
    void plaintextOnTheWildcardAddressIsRefused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> RespGateServer.start(config(new ListenConfig("0.0.0.0", 0)), closedPolicy()));
        assertEquals(Optional.of("listen.tls"), e.keyPath());
        assertTrue(e.getMessage().contains("listen.insecure_plaintext: true"), e.getMessage());
    }

    @Test
    void anonymousAccessOnTheWildcardAddressIsRefusedEvenWithTls() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> RespGateServer.start(config(new ListenConfig("0.0.0.0", 0).withTls(tls)), TestPolicies.transparent()));
        assertEquals(Optional.of("listen.insecure_allow_anonymous"), e.keyPath());
    }

    @Test
    void requiredClientCertificatesCountAsACredential() throws Exception {
        ServerTlsConfig mutual = tls.withClientAuth(pki.caCert(), ClientAuth.REQUIRE, false);
        try (RespGateServer server = RespGateServer.start(config(new ListenConfig("0.0.0.0", 0).withTls(mutual)),
                TestPolicies.transparent())) {
            assertTrue(server.boundAddress().getPort() > 0);
        }
    }

    @Test
    void explicitOverridesStartWithWarnings() throws Exception {
        ListenConfig listen = new ListenConfig("0.0.0.0", 0, Optional.empty(), true, true);
        try (RespGateServer server = RespGateServer.start(config(listen), TestPolicies.transparent())) {
            assertTrue(server.boundAddress().getPort() > 0);
        }
    }

    @Test
    void aPolicyReloadThatWouldOpenTheListenerIsRefused() throws Exception {
        PolicySnapshot closed = closedPolicy();
        try (RespGateServer server = RespGateServer.start(config(new ListenConfig("0.0.0.0", 0).withTls(tls)), closed)) {
            server.applyPolicy(TestPolicies.transparent());
            assertEquals(closed.version(), server.policy().version(), "the open policy must not be put in force");
            try (RawConnection c = TlsClients.raw(TlsClients.context(pki.caCert(), null), server.boundAddress().getPort())) {
                assertEquals("-NOAUTH Authentication required.\r\n", c.call("PING"));
            }
        }
    }
}
