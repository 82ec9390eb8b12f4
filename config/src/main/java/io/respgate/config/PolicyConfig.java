package io.respgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code policy} section of {@code respgate.yaml}.
 *
 * @param file            the policy file (users and guardrails, see {@link PolicyLoader}); a relative
 *                        path in the config is resolved against the config file's directory
 * @param maxAuthFailures failed authentications from one source address before it is locked out
 * @param authLockout     how long a locked-out address stays locked out after its last failure
 */
public record PolicyConfig(Path file, int maxAuthFailures, Duration authLockout) {
    public static final int DEFAULT_MAX_AUTH_FAILURES = 10;
    public static final Duration DEFAULT_AUTH_LOCKOUT = Duration.ofMinutes(1);

    public PolicyConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(authLockout, "authLockout");
        if (maxAuthFailures < 1) {
            throw new IllegalArgumentException("max auth failures must be at least 1");
        }
    }

    /** The file with the default lockout settings. */
    public PolicyConfig(Path file) {
        this(file, DEFAULT_MAX_AUTH_FAILURES, DEFAULT_AUTH_LOCKOUT);
    }
}
