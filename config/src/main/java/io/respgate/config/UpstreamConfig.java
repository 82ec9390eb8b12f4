package io.respgate.config;

import io.respgate.policy.Cidr;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * @param watch          {@code upstream.watch}: the bypass and drift detectors. The config file turns
 *                       them on by default ({@link Watch#DEFAULT}); the constructors without this
 *                       parameter leave them off ({@link Watch#OFF}), as before they existed
 * @param passwordFile   the file {@code password} was read from ({@code upstream.password_file}), so
 *                       its permissions can be checked; empty when the password came from elsewhere
 * @param commandTimeout how long Redis may leave a command unanswered (without sending any reply
 *                       for that connection) before every waiting command gets an error and the
 *                       connection closes; a blocking command is allowed its own timeout on top,
 *                       and one that blocks forever never times out. {@link Duration#ZERO} = off
 */
public record UpstreamConfig(String host, int port, Optional<String> username, Optional<Secret> password,
                             Duration connectTimeout, Optional<UpstreamTlsConfig> tls, Watch watch,
                             Optional<Path> passwordFile, Duration commandTimeout) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_REDIS_PORT = 6379;

    public UpstreamConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(watch, "watch");
        Objects.requireNonNull(passwordFile, "passwordFile");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("upstream host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("upstream port out of range: " + port);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("upstream connect timeout must be positive");
        }
        if (commandTimeout.isNegative()) {
            throw new IllegalArgumentException("upstream command timeout must not be negative");
        }
    }

    /** With the default command timeout. */
    public UpstreamConfig(String host, int port, Optional<String> username, Optional<Secret> password,
                          Duration connectTimeout, Optional<UpstreamTlsConfig> tls, Watch watch,
                          Optional<Path> passwordFile) {
        this(host, port, username, password, connectTimeout, tls, watch, passwordFile, DEFAULT_COMMAND_TIMEOUT);
    }

    /** A password that did not come from a file. */
    public UpstreamConfig(String host, int port, Optional<String> username, Optional<Secret> password,
                          Duration connectTimeout, Optional<UpstreamTlsConfig> tls, Watch watch) {
        this(host, port, username, password, connectTimeout, tls, watch, Optional.empty());
    }

    /** Without watching Redis. */
    public UpstreamConfig(String host, int port, Optional<String> username, Optional<Secret> password,
                          Duration connectTimeout, Optional<UpstreamTlsConfig> tls) {
        this(host, port, username, password, connectTimeout, tls, Watch.OFF);
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
        return new UpstreamConfig(host, port, username, password, connectTimeout, Optional.of(upstreamTls), watch,
                passwordFile, commandTimeout);
    }

    /** The same upstream, watched (or not) as {@code upstreamWatch} says. */
    public UpstreamConfig withWatch(Watch upstreamWatch) {
        return new UpstreamConfig(host, port, username, password, connectTimeout, tls, upstreamWatch, passwordFile,
                commandTimeout);
    }

    /** The same upstream with another {@code command_timeout} ({@link Duration#ZERO}: off). */
    public UpstreamConfig withCommandTimeout(Duration timeout) {
        return new UpstreamConfig(host, port, username, password, connectTimeout, tls, watch, passwordFile, timeout);
    }

    /**
     * {@code upstream.watch}: every {@code interval} RespGate signs in to Redis with its own
     * credentials and reports connections that bypass the proxy ({@code CLIENT LIST}) and changes of
     * security-relevant settings ({@code CONFIG GET}, {@code ACL LIST}).
     *
     * @param enabled      whether the detectors run
     * @param interval     time between two checks, {@link #MIN_INTERVAL} to {@link #MAX_INTERVAL}
     * @param knownClients networks whose direct connections to Redis are expected (replicas, backup
     *                     jobs, monitoring), never reported as a bypass
     */
    public record Watch(boolean enabled, Duration interval, List<Cidr> knownClients) {
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
        public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
        public static final Duration MAX_INTERVAL = Duration.ofHours(1);
        /** What the config file means when it says nothing: on, every 30 s, no known clients. */
        public static final Watch DEFAULT = new Watch(true, DEFAULT_INTERVAL, List.of());
        /** Not watching. */
        public static final Watch OFF = new Watch(false, DEFAULT_INTERVAL, List.of());

        public Watch {
            Objects.requireNonNull(interval, "interval");
            knownClients = List.copyOf(knownClients);
            if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
                throw new IllegalArgumentException("upstream watch interval must be between 1s and 1h: " + interval);
            }
        }

        /** On, every {@code interval}, with these known clients. */
        public static Watch every(Duration interval, List<Cidr> knownClients) {
            return new Watch(true, interval, knownClients);
        }
    }
}
