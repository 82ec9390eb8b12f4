package io.respgate.config;

import java.util.Objects;
import java.util.Optional;

/**
 * {@code admin}: the HTTP endpoint for metrics, health, the policy in force and reloads.
 *
 * @param address where it listens; loopback by default
 * @param port    its TCP port; code may pass 0 for an ephemeral port
 * @param token   the bearer token every request must carry; required on a non-loopback address
 */
public record AdminConfig(String address, int port, Optional<Secret> token) {
    public static final String DEFAULT_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 9121;

    public AdminConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(token, "token");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("admin port out of range: " + port);
        }
    }

    /** Loopback, no token. */
    public static AdminConfig loopback(int port) {
        return new AdminConfig(DEFAULT_ADDRESS, port, Optional.empty());
    }
}
