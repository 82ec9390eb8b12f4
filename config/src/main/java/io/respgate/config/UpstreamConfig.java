package io.respgate.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The Redis server behind the proxy and the credentials the proxy itself uses there (clients never
 * see them). {@link #toString()} never shows the password: {@link Secret} prints as
 * {@code Secret[***]}.
 *
 * @param host           IP literal (IPv6 without brackets) or host name of Redis
 * @param port           TCP port of Redis, 1..65535
 * @param username       Redis ACL user for the proxy's connections; empty means {@code default}
 * @param password       the proxy's password for Redis, if any
 * @param connectTimeout how long to wait for a TCP connection to Redis
 * @param tls            TLS to Redis ({@code rediss://}); empty means plaintext
 */
public record UpstreamConfig(String host, int port, Optional<String> username, Optional<Secret> password,
                             Duration connectTimeout, Optional<UpstreamTlsConfig> tls) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_REDIS_PORT = 6379;

    public UpstreamConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(tls, "tls");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("upstream host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("upstream port out of range: " + port);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("upstream connect timeout must be positive");
        }
    }

    /** Plaintext. */
    public UpstreamConfig(String host, int port, Optional<String> username, Optional<Secret> password,
                          Duration connectTimeout) {
        this(host, port, username, password, connectTimeout, Optional.empty());
    }

    /** No credentials, default connect timeout. */
    public static UpstreamConfig of(String host, int port) {
        return new UpstreamConfig(host, port, Optional.empty(), Optional.empty(), DEFAULT_CONNECT_TIMEOUT);
    }

    /** The same upstream over TLS. */
    public UpstreamConfig withTls(UpstreamTlsConfig upstreamTls) {
        return new UpstreamConfig(host, port, username, password, connectTimeout, Optional.of(upstreamTls));
    }
}
