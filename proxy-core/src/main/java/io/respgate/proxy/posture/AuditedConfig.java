package io.respgate.proxy.posture;

import io.respgate.config.RespGateConfig;
import io.respgate.policy.PolicySnapshot;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * RespGate's own config as the audit sees it.
 *
 * @param source       the config file, as named on the command line
 * @param config       the loaded config
 * @param policy       the policy it names
 * @param passwordFile {@code upstream.password_file}, resolved; the loaded config keeps only the
 *                     password, but the file's permissions are a finding of their own
 */
record AuditedConfig(Path source, RespGateConfig config, PolicySnapshot policy, Optional<Path> passwordFile) {
    AuditedConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(passwordFile, "passwordFile");
    }
}
