package io.respgate.config;

import io.respgate.policy.PolicySnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Only IP literals and "localhost" are used, so no name is looked up beyond /etc/hosts. */
class ExposureCheckTest {
    private static final String SRC = "respgate.yaml";
    private static final String OPEN_DEFAULT = "users:\n  default: {acl: \"on nopass ~* +@all\"}\n";
    private static final String CLOSED_DEFAULT = """
            users:
              default: {acl: "off"}
              app: {acl: "on nopass ~* +@all"}
            """;
    private static final String PASSWORD_DEFAULT = "users:\n  default: {acl: \"on #"
            + "a".repeat(64) + " ~* +@all\"}\n";
    private static final Path CERT = Path.of("server.crt");
    private static final Path KEY = Path.of("server.key");
    private static final Path CA = Path.of("ca.pem");

    private static PolicySnapshot policy(String yaml) throws ConfigException {
        return PolicyLoader.parse(yaml, "policy.yaml");
    }

    private static ListenConfig plaintext(String address, boolean insecurePlaintext, boolean insecureAnonymous) {
        return new ListenConfig(address, 6380, Optional.empty(), insecurePlaintext, insecureAnonymous);
    }

    private static ListenConfig tls(String address, ClientAuth auth, boolean insecureAnonymous) {
        ServerTlsConfig t = ServerTlsConfig.of(CERT, KEY);
        if (auth != ClientAuth.NONE) {
            t = t.withClientAuth(CA, auth, false);
        }
        return new ListenConfig(address, 6380, Optional.of(t), false, insecureAnonymous);
    }

    private static ConfigException refused(ListenConfig listen, PolicySnapshot policy, String key) {
        ConfigException e = assertThrows(ConfigException.class, () -> ExposureCheck.check(listen, policy, SRC));
        assertEquals(Optional.of(key), e.keyPath());
        assertTrue(e.getMessage().startsWith(SRC + ": " + key + ": "), e.getMessage());
        return e;
    }

    @Test
    void theTestPolicyHasAnOpenDefaultUser() throws Exception {
        assertNotNull(policy(OPEN_DEFAULT).openDefaultUser());
        assertNull(policy(CLOSED_DEFAULT).openDefaultUser());
        assertNull(policy(PASSWORD_DEFAULT).openDefaultUser());
    }

    // ---- loopback ---------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1", "localhost"})
    void loopbackIsNeverRefused(String address) throws Exception {
        assertTrue(ExposureCheck.isLoopback(address), address);
        PolicySnapshot open = policy(OPEN_DEFAULT);
        assertEquals(List.of(), ExposureCheck.check(plaintext(address, false, false), open, SRC));
        assertEquals(List.of(), ExposureCheck.check(tls(address, ClientAuth.NONE, false), open, SRC));
        // Nor warned about: nothing leaves the machine.
        assertEquals(List.of(), ExposureCheck.check(plaintext(address, true, true), open, SRC));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "192.0.2.10", "10.0.0.1", "2001:db8::1", "::ffff:192.0.2.10",
            "169.254.1.1"})
    void otherAddressesAreNotLoopback(String address) {
        assertFalse(ExposureCheck.isLoopback(address), address);
    }

    // ---- plaintext on the network -------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "192.0.2.10", "::", "2001:db8::1"})
    void plaintextOnANetworkAddressIsRefused(String address) throws Exception {
        ConfigException e = refused(plaintext(address, false, false), policy(CLOSED_DEFAULT), "listen.tls");
        assertTrue(e.getMessage().contains("RespGate would listen on " + address + ":6380"), e.getMessage());
        assertTrue(e.getMessage().contains("without TLS"), e.getMessage());
        assertTrue(e.getMessage().contains("listen.insecure_plaintext: true"), e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
    }

    @Test
    void plaintextAcceptedInWritingIsAWarning() throws Exception {
        List<String> warnings = ExposureCheck.check(plaintext("0.0.0.0", true, false), policy(CLOSED_DEFAULT), SRC);
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("0.0.0.0:6380 WITHOUT TLS"), warnings.get(0));
        assertTrue(warnings.get(0).contains("listen.insecure_plaintext"), warnings.get(0));
    }

    @Test
    void plaintextIsReportedBeforeTheOpenDefaultUser() throws Exception {
        refused(plaintext("192.0.2.10", false, false), policy(OPEN_DEFAULT), "listen.tls");
        refused(plaintext("192.0.2.10", false, true), policy(OPEN_DEFAULT), "listen.tls");
        // With plaintext accepted, the open default user is the next refusal.
        refused(plaintext("192.0.2.10", true, false), policy(OPEN_DEFAULT), "listen.insecure_allow_anonymous");
    }

    // ---- anyone may sign in -----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"NONE", "OPTIONAL"})
    void openDefaultUserOnANetworkAddressIsRefused(ClientAuth auth) throws Exception {
        ConfigException e = refused(tls("0.0.0.0", auth, false), policy(OPEN_DEFAULT), "listen.insecure_allow_anonymous");
        assertTrue(e.getMessage().contains("'default' is on and nopass"), e.getMessage());
        assertTrue(e.getMessage().contains("0.0.0.0:6380"), e.getMessage());
        assertTrue(e.getMessage().contains("listen.tls.client_auth: require"), e.getMessage());
        assertTrue(e.getMessage().contains("listen.insecure_allow_anonymous: true"), e.getMessage());
    }

    @Test
    void requiredClientCertificatesCloseTheDoor() throws Exception {
        assertEquals(List.of(), ExposureCheck.check(tls("0.0.0.0", ClientAuth.REQUIRE, false), policy(OPEN_DEFAULT),
                SRC));
        assertEquals(List.of(), ExposureCheck.check(tls("192.0.2.10", ClientAuth.REQUIRE, true), policy(OPEN_DEFAULT),
                SRC));
    }

    @Test
    void anonymousAcceptedInWritingIsAWarning() throws Exception {
        List<String> warnings = ExposureCheck.check(tls("192.0.2.10", ClientAuth.NONE, true), policy(OPEN_DEFAULT), SRC);
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("192.0.2.10:6380 need no credential"), warnings.get(0));
        assertTrue(warnings.get(0).contains("listen.insecure_allow_anonymous"), warnings.get(0));
    }

    @Test
    void bothRisksAcceptedGiveBothWarnings() throws Exception {
        List<String> warnings = ExposureCheck.check(plaintext("0.0.0.0", true, true), policy(OPEN_DEFAULT), SRC);
        assertEquals(2, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("WITHOUT TLS"), warnings.get(0));
        assertTrue(warnings.get(1).contains("need no credential"), warnings.get(1));
    }

    @Test
    void aClosedOrPasswordProtectedDefaultUserIsFine() throws Exception {
        for (String p : List.of(CLOSED_DEFAULT, PASSWORD_DEFAULT,
                "users:\n  default: {acl: \"off nopass ~* +@all\"}\n", "users:\n  app: {acl: \"on nopass +@all\"}\n")) {
            assertEquals(List.of(), ExposureCheck.check(tls("0.0.0.0", ClientAuth.NONE, false), policy(p), SRC), p);
            // The flag without an open user gives no warning either: nothing is exposed.
            assertEquals(List.of(), ExposureCheck.check(tls("0.0.0.0", ClientAuth.NONE, true), policy(p), SRC), p);
        }
    }

    @Test
    void worksOnALoadedConfig() throws Exception {
        RespGateConfig c = ConfigLoader.parse("""
                listen:
                  address: 0.0.0.0
                  insecure_plaintext: true
                upstream: {address: 127.0.0.1:6379}
                """, SRC, name -> null, Path.of("/tmp"));
        refused(c.listen(), policy(OPEN_DEFAULT), "listen.insecure_allow_anonymous");
        assertEquals(1, ExposureCheck.check(c.listen(), policy(CLOSED_DEFAULT), SRC).size());

        RespGateConfig defaults = ConfigLoader.parse("upstream: {address: 127.0.0.1:6379}\n", SRC, name -> null,
                Path.of("/tmp"));
        assertEquals(List.of(), ExposureCheck.check(defaults.listen(), policy(OPEN_DEFAULT), SRC),
                "the default listener is on loopback");
    }
}
