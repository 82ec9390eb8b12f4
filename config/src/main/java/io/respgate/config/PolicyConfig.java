package io.respgate.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code policy} section of {@code respgate.yaml}.
 *
 * @param file the policy file (users and guardrails, see {@link PolicyLoader}); a relative path in
 *             the config is resolved against the config file's directory
 */
public record PolicyConfig(Path file) {
    public PolicyConfig {
        Objects.requireNonNull(file, "file");
    }
}
