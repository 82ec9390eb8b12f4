package io.respgate.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code upstream.tls}: TLS on the proxy's connections to Redis ({@code rediss://}).
 *
 * @param caFile            PEM bundle of the CAs trusted for Redis's certificate; empty = the JDK's
 *                          default trust store
 * @param certFile          PEM client certificate chain presented to Redis, with {@code keyFile}
 * @param keyFile           PEM private key of the client certificate
 * @param serverName        the name sent as SNI and checked against Redis's certificate; empty = the
 *                          upstream host
 * @param verifyCertificate check Redis's certificate chain against the trusted CAs
 * @param verifyHostname    check that Redis's certificate names the server name (or the IP address)
 * @param protocols         TLS versions offered
 * @param ciphers           TLS 1.2 cipher suites; empty = the provider's defaults
 * @param allowJdkProvider  run on the JDK's TLS if BoringSSL cannot be loaded
 */
public record UpstreamTlsConfig(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile,
                                Optional<String> serverName, boolean verifyCertificate, boolean verifyHostname,
                                List<String> protocols, List<String> ciphers, boolean allowJdkProvider) {
    public UpstreamTlsConfig {
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(serverName, "serverName");
        protocols = List.copyOf(protocols);
        ciphers = List.copyOf(ciphers);
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalArgumentException("a client certificate needs both a certificate and a key file");
        }
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("at least one TLS protocol is needed");
        }
    }

    /** Full verification against the CAs in {@code caFile} (or the JDK's when null). */
    public static UpstreamTlsConfig verifying(Path caFile) {
        return new UpstreamTlsConfig(Optional.ofNullable(caFile), Optional.empty(), Optional.empty(), Optional.empty(),
                true, true, TlsProtocols.DEFAULT, List.of(), false);
    }

    /** Every file this config reads: watched for rotation. */
    public List<Path> files() {
        List<Path> files = new ArrayList<>(3);
        caFile.ifPresent(files::add);
        certFile.ifPresent(files::add);
        keyFile.ifPresent(files::add);
        return files;
    }
}
