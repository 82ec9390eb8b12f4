package io.respgate.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.respgate.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the TLS engine: BoringSSL through netty-tcnative, or, only when the config accepts it in
 * writing ({@code allow_jdk_provider: true}), the JDK's own TLS.
 */
public final class TlsEngine {
    private static final Logger log = LoggerFactory.getLogger(TlsEngine.class);

    private TlsEngine() {
    }

    /** Whether BoringSSL is loaded. */
    public static boolean boringSslAvailable() {
        return OpenSsl.isAvailable();
    }

    /** A short description of the engine in use, for the start-up log. */
    public static String describe(SslProvider provider) {
        return provider == SslProvider.OPENSSL ? OpenSsl.versionString() : "JDK " + System.getProperty("java.version");
    }

    static SslProvider provider(boolean allowJdk, String section) throws ConfigException {
        if (OpenSsl.isAvailable()) {
            return SslProvider.OPENSSL;
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        String why = cause == null ? "unknown reason" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (!allowJdk) {
            throw new ConfigException("respgate.yaml", section + ".allow_jdk_provider", "BoringSSL"
                    + " (netty-tcnative-boringssl-static) cannot be loaded on this machine (" + why + "); RespGate"
                    + " refuses to run TLS on another engine unless " + section + ".allow_jdk_provider is true");
        }
        log.warn("BoringSSL cannot be loaded ({}); {} uses the JDK's TLS as {}.allow_jdk_provider allows",
                why, section, section);
        return SslProvider.JDK;
    }
}
