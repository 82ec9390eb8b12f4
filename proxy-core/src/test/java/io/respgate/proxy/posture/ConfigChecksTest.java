package io.respgate.proxy.posture;

import io.respgate.config.ConfigLoader;
import io.respgate.config.PolicyLoader;
import io.respgate.config.RespGateConfig;
import io.respgate.policy.PasswordHashing;
import io.respgate.policy.PolicySnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RespGate's own config, judged by the respgate-* checks. */
class ConfigChecksTest {
    static final String CLOSED_POLICY = "users:\n  default:\n    acl: \"off\"\n  app:\n    acl: \"on #"
            + PasswordHashing.sha256Hex("app-pw".getBytes(StandardCharsets.UTF_8)) + " ~app:* +@read\"\n";
    static final String OPEN_POLICY = "guardrails:\n  allow: [flushall]\nusers:\n  default:\n    acl: \"on nopass ~* +@all\"\n";

    @TempDir
    Path dir;

    private AuditedConfig config(String listen, String policy) throws Exception {
        return config(listen, policy, Optional.empty());
    }

    private AuditedConfig config(String listen, String policy, Optional<Path> passwordFile) throws Exception {
        RespGateConfig config = ConfigLoader.parse("listen: " + listen + "\nupstream: {address: 127.0.0.1:6379}\n",
                "respgate.yaml", Map.<String, String>of()::get, dir);
        PolicySnapshot snapshot = PolicyLoader.parse(policy, "policy.yaml");
        return new AuditedConfig(dir.resolve("respgate.yaml"), config, snapshot, passwordFile);
    }

    private static Finding one(ConfigPostureCheck check, AuditedConfig config) {
        List<Finding> findings = check.check(config);
        assertEquals(1, findings.size(), findings::toString);
        return findings.get(0);
    }

    @Test
    void aPlaintextListenerOnANetworkAddressFails() throws Exception {
        assertEquals(Status.PASS, one(new ListenerTlsCheck(), config("{address: 127.0.0.1}", CLOSED_POLICY)).status());
        Finding open = one(new ListenerTlsCheck(),
                config("{address: 0.0.0.0, insecure_plaintext: true}", CLOSED_POLICY));
        assertEquals(Status.FAIL, open.status());
        assertTrue(open.finding().contains("listen.insecure_plaintext: true"), open::finding);
    }

    @Test
    void anonymousAccessWarnsOnLoopbackAndFailsOnTheNetwork() throws Exception {
        assertEquals(Status.PASS, one(new AnonymousClientsCheck(), config("{address: 127.0.0.1}", CLOSED_POLICY))
                .status());
        assertEquals(Status.WARN, one(new AnonymousClientsCheck(), config("{address: 127.0.0.1}", OPEN_POLICY))
                .status());
        assertEquals(Status.FAIL, one(new AnonymousClientsCheck(), config("{address: 0.0.0.0, insecure_plaintext:"
                + " true, insecure_allow_anonymous: true}", OPEN_POLICY)).status());
    }

    @Test
    void everyLiftedGuardrailIsAWarning() throws Exception {
        assertEquals(Status.PASS, one(new GuardrailWideningCheck(), config("{}", CLOSED_POLICY)).status());
        Finding lifted = one(new GuardrailWideningCheck(), config("{}", OPEN_POLICY));
        assertEquals(Status.WARN, lifted.status());
        assertTrue(lifted.finding().contains("'flushall'"), lifted::finding);
        List<Finding> lint = new PolicyLintCheck().check(config("{}", OPEN_POLICY));
        assertTrue(lint.stream().allMatch(f -> f.status() == Status.WARN && !f.finding().contains("guardrails.allow")),
                lint::toString);
    }

    @Test
    void secretFilesReadableByOthersAreFlagged() throws Exception {
        Path password = dir.resolve("redis.pw");
        Files.writeString(password, "pw\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        AuditedConfig config = config("{}", CLOSED_POLICY, Optional.of(password));
        assertEquals(Status.PASS, one(new SecretFilePermissionsCheck(), config).status());
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(Status.WARN, one(new SecretFilePermissionsCheck(), config).status());
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r--r--"));
        Finding world = one(new SecretFilePermissionsCheck(), config);
        assertEquals(Status.FAIL, world.status());
        assertTrue(world.finding().contains("(upstream.password_file)"), world::finding);
        assertTrue(world.fix().startsWith("chmod 600 " + password), world::fix);
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-----w-"));
        assertEquals(Status.FAIL, one(new SecretFilePermissionsCheck(), config).status());
        Files.delete(password);
        assertEquals(Status.WARN, one(new SecretFilePermissionsCheck(), config).status());
        assertEquals(Status.PASS, one(new SecretFilePermissionsCheck(), config("{}", CLOSED_POLICY)).status());
    }

    @Test
    void configChecksSkipWithoutAConfig() {
        Finding skipped = new ListenerTlsCheck().run(new Facts().deployment()).get(0);
        assertEquals(Status.SKIP, skipped.status());
        assertTrue(skipped.finding().contains("--upstream"), skipped::finding);
    }

    @Test
    void thePasswordFileIsFoundInTheConfigFile() throws Exception {
        Path file = dir.resolve("respgate.yaml");
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/redis.pw"), "pw\n");
        Files.writeString(file, "upstream: {address: 127.0.0.1:6379, password_file: secrets/redis.pw}\n");
        assertEquals(Optional.of(dir.resolve("secrets/redis.pw")), ConfigLoader.load(file).upstream().passwordFile());
        Files.writeString(file, "upstream: {address: 127.0.0.1:6379}\n");
        assertEquals(Optional.empty(), ConfigLoader.load(file).upstream().passwordFile());
    }

    @Test
    void anAdminEndpointOnANetworkAddressIsAWarning() throws Exception {
        RespGateConfig none = ConfigLoader.parse("upstream: {address: 127.0.0.1:6379}\n", "respgate.yaml",
                Map.<String, String>of()::get, dir);
        PolicySnapshot snapshot = PolicyLoader.parse(CLOSED_POLICY, "policy.yaml");
        assertEquals(Status.PASS, one(new AdminEndpointCheck(),
                new AuditedConfig(dir.resolve("respgate.yaml"), none, snapshot, Optional.empty())).status());
        RespGateConfig loopback = ConfigLoader.parse("upstream: {address: 127.0.0.1:6379}\nadmin: {port: 9121}\n",
                "respgate.yaml", Map.<String, String>of()::get, dir);
        assertEquals(Status.PASS, one(new AdminEndpointCheck(),
                new AuditedConfig(dir.resolve("respgate.yaml"), loopback, snapshot, Optional.empty())).status());
        RespGateConfig exposed = ConfigLoader.parse("upstream: {address: 127.0.0.1:6379}\n"
                        + "admin: {address: 0.0.0.0, token_env: T}\n", "respgate.yaml",
                Map.of("T", "admin-token-value")::get, dir);
        Finding warn = one(new AdminEndpointCheck(),
                new AuditedConfig(dir.resolve("respgate.yaml"), exposed, snapshot, Optional.empty()));
        assertEquals(Status.WARN, warn.status());
        assertTrue(warn.finding().contains("0.0.0.0:9121"), warn::finding);
        assertFalse(warn.finding().contains("admin-token-value"));
    }
}
