package io.respgate.proxy.posture;

import io.respgate.config.UpstreamTlsConfig;
import io.respgate.proxy.tls.PemFiles;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A JDK {@link SSLContext} from {@code upstream.tls}, for the audit's blocking sockets. It trusts
 * and presents what the proxy would (the same PEM files), so the audit sees Redis the way
 * RespGate does. Ciphers are left to the JDK: the config may name them in OpenSSL form, and the
 * audit needs a handshake, not the proxy's exact suite list.
 */
final class JdkTls {
    private JdkTls() {
    }

    /**
     * @param withClientCertificate present {@code upstream.tls.cert_file}, if configured; off for the
     *                              anonymous probe, where a client certificate would be a credential
     */
    static SSLContext context(UpstreamTlsConfig tls, boolean withClientCertificate)
            throws IOException, GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        KeyManager[] keys = withClientCertificate && tls.certFile().isPresent()
                ? clientKeys(tls) : null;
        context.init(keys, trust(tls), null);
        return context;
    }

    private static TrustManager[] trust(UpstreamTlsConfig tls) throws IOException, GeneralSecurityException {
        if (!tls.verifyCertificate()) {
            // Mirrors the proxy's own setting; the redis-tls check reports it.
            return new TrustManager[] {new TrustEverything()};
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (tls.caFile().isEmpty()) {
            factory.init((KeyStore) null);
            return factory.getTrustManagers();
        }
        KeyStore store = emptyStore();
        List<X509Certificate> cas = PemFiles.certificates(tls.caFile().get());
        for (int i = 0; i < cas.size(); i++) {
            store.setCertificateEntry("ca-" + i, cas.get(i));
        }
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static KeyManager[] clientKeys(UpstreamTlsConfig tls) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = PemFiles.certificates(tls.certFile().get());
        PrivateKey key = PemFiles.privateKey(tls.keyFile().orElseThrow());
        // The store lives only in memory; its password protects nothing and is not a secret.
        char[] storePassword = "respgate-audit".toCharArray();
        KeyStore store = emptyStore();
        store.setKeyEntry("client", key, storePassword, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, storePassword);
        return factory.getKeyManagers();
    }

    private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    /** For {@code verify_certificate: false} only. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
