package io.respgate.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.respgate.config.ConfigException;
import io.respgate.config.UpstreamTlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;

/**
 * TLS on the proxy's connections to Redis: the trusted CAs, the optional client certificate, SNI
 * and hostname verification (on by default). {@link #reload()} rebuilds from the files for new
 * connections, keeping the old context when a file cannot be used.
 */
public final class UpstreamTls {
    private static final Logger log = LoggerFactory.getLogger(UpstreamTls.class);

    private final UpstreamTlsConfig config;
    private final SslProvider provider;
    private final String peerHost;
    private final int peerPort;
    private volatile BuiltContext current;

    private UpstreamTls(UpstreamTlsConfig config, SslProvider provider, String host, int port, BuiltContext context) {
        this.config = config;
        this.provider = provider;
        this.peerHost = config.serverName().orElse(host);
        this.peerPort = port;
        this.current = context;
    }

    /** Builds the context for Redis at {@code host:port}. */
    public static UpstreamTls load(UpstreamTlsConfig config, String host, int port) throws ConfigException {
        SslProvider provider = TlsEngine.provider(config.allowJdkProvider(), "upstream.tls");
        UpstreamTls tls = new UpstreamTls(config, provider, host, port, build(config, provider));
        if (!config.verifyCertificate()) {
            log.warn("TLS to Redis does NOT verify Redis's certificate (upstream.tls.verify_certificate: false):"
                    + " anyone on the path can impersonate Redis and read the proxy's credentials");
        } else if (!config.verifyHostname()) {
            log.warn("TLS to Redis does NOT check that Redis's certificate names {} (upstream.tls.verify_hostname:"
                    + " false): any certificate from the trusted CAs is accepted", tls.peerHost);
        }
        log.info("TLS to Redis: {} ({}), server name {}, CAs {}, client certificate {}",
                String.join("/", config.protocols()), TlsEngine.describe(provider), tls.peerHost,
                config.caFile().map(Object::toString).orElse("of the JDK"),
                config.certFile().map(Object::toString).orElse("none"));
        return tls;
    }

    private static BuiltContext build(UpstreamTlsConfig config, SslProvider provider) throws ConfigException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(provider)
                .protocols(config.protocols())
                .endpointIdentificationAlgorithm(config.verifyHostname() ? "HTTPS" : null);
        if (!config.verifyCertificate()) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (config.caFile().isPresent()) {
            builder.trustManager(TlsFiles.certificates(config.caFile().get(), "upstream.tls.ca_file"));
        }
        CertifiedKey client = null;
        if (config.certFile().isPresent()) {
            client = TlsFiles.certifiedKey(config.certFile().get(), config.keyFile().orElseThrow(), "upstream.tls");
            builder.keyManager(client.key(), client.chain());
        }
        if (!config.ciphers().isEmpty()) {
            builder.ciphers(config.ciphers());
        }
        try {
            return new BuiltContext(builder.build(), client == null ? null : client.leaf());
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("respgate.yaml", "upstream.tls", "the TLS settings cannot be used: "
                    + TlsFiles.reason(e));
        }
    }

    /** Rebuilds from the files for new connections; returns whether the new material is in force. */
    public boolean reload() {
        BuiltContext next;
        try {
            next = build(config, provider);
        } catch (ConfigException e) {
            log.error("TLS to Redis: reload failed, the previous CAs and certificate stay in force: {}", e.getMessage());
            return false;
        }
        BuiltContext previous = current;
        current = next;
        RetiredContexts.release(previous.context());
        log.info("TLS to Redis reloaded");
        return true;
    }

    /** A handler for a new connection to Redis: SNI and hostname checks use the configured server name. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return current.context().newHandler(alloc, peerHost, peerPort);
    }

    /** The client certificate presented to Redis, or null. */
    public X509Certificate certificate() {
        return current.leaf();
    }

    public UpstreamTlsConfig config() {
        return config;
    }

    public void close() {
        ReferenceCountUtil.release(current.context());
    }
}
