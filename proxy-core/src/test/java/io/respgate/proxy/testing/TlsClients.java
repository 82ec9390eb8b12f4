package io.respgate.proxy.testing;

import io.respgate.proxy.tls.PemFiles;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** JDK TLS clients for tests: trust a test CA, optionally present a client certificate. */
public final class TlsClients {
    private static final char[] STORE_PASSWORD = "test-store".toCharArray();

    private TlsClients() {
    }

    /** A context trusting the CA in {@code caCert} and presenting {@code client} (null: no certificate). */
    public static SSLContext context(Path caCert, TestPki.Issued client) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (X509Certificate ca : PemFiles.certificates(caCert)) {
            trust.setCertificateEntry("ca" + i++, ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (client != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            PrivateKey key = PemFiles.privateKey(client.key());
            List<X509Certificate> chain = PemFiles.certificates(client.cert());
            keys.setKeyEntry("client", key, STORE_PASSWORD, chain.toArray(new X509Certificate[0]));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, STORE_PASSWORD);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyManager[] keyManagers = kmf == null ? null
                : new KeyManager[] {new AlwaysPresent((X509ExtendedKeyManager) kmf.getKeyManagers()[0])};
        ctx.init(keyManagers, tmf.getTrustManagers(), null);
        return ctx;
    }

    /**
     * Presents the client certificate whatever CAs the server asks for: the JDK would otherwise
     * hold back a certificate from a CA the server did not name, and a test of a refused
     * certificate would only test the client.
     */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager delegate;

        AlwaysPresent(X509ExtendedKeyManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "client";
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return delegate.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }

    /** Connects to the proxy on loopback and completes the handshake. */
    public static SSLSocket connect(SSLContext ctx, int port, String... protocols) throws Exception {
        SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket(ProxiedRedis.HOST, port);
        socket.setSoTimeout(10_000);
        if (protocols.length > 0) {
            socket.setEnabledProtocols(protocols);
        }
        socket.startHandshake();
        return socket;
    }

    /** A raw RESP connection over TLS. */
    public static RawConnection raw(SSLContext ctx, int port) throws Exception {
        return new RawConnection(connect(ctx, port), 10_000);
    }
}
