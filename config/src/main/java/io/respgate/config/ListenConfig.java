package io.respgate.config;

import java.util.Objects;

/**
 * Where the proxy listens for clients.
 *
 * @param address IP literal (IPv6 without brackets) or host name to bind to
 * @param port    TCP port; the config file accepts 1..65535, code may pass 0 for an ephemeral port
 */
public record ListenConfig(String address, int port) {
    public static final String DEFAULT_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 6380;

    public ListenConfig {
        Objects.requireNonNull(address, "address");
        if (address.isEmpty()) {
            throw new IllegalArgumentException("listen address must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen port out of range: " + port);
        }
    }

    /** {@code 127.0.0.1:6380}. */
    public static ListenConfig defaults() {
        return new ListenConfig(DEFAULT_ADDRESS, DEFAULT_PORT);
    }
}
