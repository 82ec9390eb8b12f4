package io.respgate.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.respgate.config.ClientAuth;
import io.respgate.config.ConfigException;
import io.respgate.config.ServerTlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;

/**
 * The listener's TLS material: certificate chain, key and client CAs, built into a BoringSSL
 * context. {@link #reload()} builds a new context from the files and puts it in force for new
 * handshakes; established connections keep the one they started with. A file that cannot be used
 * leaves the old context in force.
 */
public final class ServerTls {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    private final ServerTlsConfig config;
    private final SslProvider provider;
    private volatile BuiltContext current;

    private ServerTls(ServerTlsConfig config, SslProvider provider, BuiltContext material) {
        this.config = config;
        this.provider = provider;
        this.current = material;
    }

    /** Loads the files and builds the context; the error names the key whose file is wrong. */
    public static ServerTls load(ServerTlsConfig config) throws ConfigException {
        SslProvider provider = TlsEngine.provider(config.allowJdkProvider(), "listen.tls");
        ServerTls tls = new ServerTls(config, provider, build(config, provider));
        log.info("listener TLS: {} ({}), certificate {} valid until {}, client certificates {}",
                String.join("/", config.protocols()), TlsEngine.describe(provider),
                tls.current.leaf().getSubjectX500Principal().getName(), tls.current.leaf().getNotAfter().toInstant(),
                config.clientAuth().name().toLowerCase(java.util.Locale.ROOT));
        return tls;
    }

    private static BuiltContext build(ServerTlsConfig config, SslProvider provider) throws ConfigException {
        CertifiedKey pair = TlsFiles.certifiedKey(config.certFile(), config.keyFile(), "listen.tls");
        SslContextBuilder builder = SslContextBuilder.forServer(pair.key(), pair.chain())
                .sslProvider(provider)
                .protocols(config.protocols())
                .sessionTimeout(config.sessionTimeout().toSeconds());
        if (config.sessionCacheSize() > 0) {
            builder.sessionCacheSize(config.sessionCacheSize());
        }
        if (!config.ciphers().isEmpty()) {
            builder.ciphers(config.ciphers());
        }
        if (config.clientAuth() != ClientAuth.NONE) {
            Path ca = config.clientCaFile().orElseThrow();
            builder.trustManager(TlsFiles.certificates(ca, "listen.tls.client_ca_file"))
                    .clientAuth(config.clientAuth() == ClientAuth.REQUIRE
                            ? io.netty.handler.ssl.ClientAuth.REQUIRE : io.netty.handler.ssl.ClientAuth.OPTIONAL);
        }
        try {
            return new BuiltContext(builder.build(), pair.leaf());
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("respgate.yaml", "listen.tls", "the TLS settings cannot be used: "
                    + TlsFiles.reason(e));
        }
    }

    /**
     * Builds a new context from the files; on success new handshakes use it. Returns whether the
     * new material is in force; on failure the reason is logged and the old material stays.
     */
    public boolean reload() {
        BuiltContext next;
        try {
            next = build(config, provider);
        } catch (ConfigException e) {
            log.error("listener TLS reload failed, the previous certificate stays in force: {}", e.getMessage());
            return false;
        }
        BuiltContext previous = current;
        current = next;
        RetiredContexts.release(previous.context());
        log.info("listener TLS reloaded: certificate {} valid until {}",
                next.leaf().getSubjectX500Principal().getName(), next.leaf().getNotAfter().toInstant());
        return true;
    }

    /** A handler for a new client connection, with the material in force now. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return current.context().newHandler(alloc);
    }

    /** The leaf certificate presented now. */
    public X509Certificate certificate() {
        return current.leaf();
    }

    public ServerTlsConfig config() {
        return config;
    }

    /** Releases the context in force. */
    public void close() {
        ReferenceCountUtil.release(current.context());
    }
}
