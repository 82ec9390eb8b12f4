package io.respgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code listen.tls}: TLS for client connections.
 *
 * @param certFile         PEM certificate chain, leaf first
 * @param keyFile          PEM private key (PKCS#8, or traditional RSA or EC), unencrypted
 * @param clientCaFile     PEM bundle of the CAs whose client certificates are accepted
 * @param clientAuth       whether a client certificate is requested or required
 * @param requireMapped    a client certificate that maps to no policy user is refused
 * @param protocols        TLS versions offered, JSSE names ({@code TLSv1.3}, {@code TLSv1.2})
 * @param ciphers          TLS 1.2 cipher suites in order of preference; empty = the provider's defaults
 * @param sessionCacheSize server-side session cache entries; 0 = the provider's default
 * @param sessionTimeout   how long a cached session may be resumed (session tickets are off)
 * @param allowJdkProvider run on the JDK's TLS if BoringSSL cannot be loaded, instead of refusing to start
 */
public record ServerTlsConfig(Path certFile, Path keyFile, Optional<Path> clientCaFile, ClientAuth clientAuth,
                              boolean requireMapped, List<String> protocols, List<String> ciphers,
                              long sessionCacheSize, Duration sessionTimeout, boolean allowJdkProvider) {
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMinutes(5);

    public ServerTlsConfig {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(clientCaFile, "clientCaFile");
        Objects.requireNonNull(clientAuth, "clientAuth");
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        protocols = List.copyOf(protocols);
        ciphers = List.copyOf(ciphers);
        if (clientAuth != ClientAuth.NONE && clientCaFile.isEmpty()) {
            throw new IllegalArgumentException("client certificates need a client CA file");
        }
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("at least one TLS protocol is needed");
        }
    }

    /** A certificate and key with every default: TLS 1.3 and 1.2, no client certificates. */
    public static ServerTlsConfig of(Path certFile, Path keyFile) {
        return new ServerTlsConfig(certFile, keyFile, Optional.empty(), ClientAuth.NONE, false,
                TlsProtocols.DEFAULT, List.of(), 0, DEFAULT_SESSION_TIMEOUT, false);
    }

    /** The same settings asking clients for certificates signed by {@code caFile}. */
    public ServerTlsConfig withClientAuth(Path caFile, ClientAuth auth, boolean mapped) {
        return new ServerTlsConfig(certFile, keyFile, Optional.of(caFile), auth, mapped, protocols, ciphers,
                sessionCacheSize, sessionTimeout, allowJdkProvider);
    }

    /** Every file this config reads: watched for rotation. */
    public List<Path> files() {
        return clientCaFile.map(ca -> List.of(certFile, keyFile, ca)).orElse(List.of(certFile, keyFile));
    }
}
