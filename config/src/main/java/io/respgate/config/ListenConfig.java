package io.respgate.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Where the proxy listens for clients.
 *
 * @param address IP literal (IPv6 without brackets) or host name to bind to
 * @param port    TCP port; the config file accepts 1..65535, code may pass 0 for an ephemeral port
 * @param tls     TLS for clients; empty means plaintext, which RespGate accepts only on a loopback
 *                address unless {@code insecurePlaintext} says otherwise
 * @param insecurePlaintext  the operator accepts plaintext on a non-loopback address
 * @param insecureAnonymous  the operator accepts clients without any credential on a non-loopback address
 */
public record ListenConfig(String address, int port, Optional<ServerTlsConfig> tls, boolean insecurePlaintext,
                           boolean insecureAnonymous) {
    public static final String DEFAULT_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 6380;

    public ListenConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
        if (address.isEmpty()) {
            throw new IllegalArgumentException("listen address must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen port out of range: " + port);
        }
    }

    /** Plaintext, no overrides. */
    public ListenConfig(String address, int port) {
        this(address, port, Optional.empty(), false, false);
    }

    /** The same address with TLS. */
    public ListenConfig withTls(ServerTlsConfig serverTls) {
        return new ListenConfig(address, port, Optional.of(serverTls), insecurePlaintext, insecureAnonymous);
    }

    /** {@code 127.0.0.1:6380}. */
    public static ListenConfig defaults() {
        return new ListenConfig(DEFAULT_ADDRESS, DEFAULT_PORT);
    }
}
