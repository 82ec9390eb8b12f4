package io.respgate.proxy.tls;

import io.netty.handler.ssl.SslHandler;
import io.respgate.policy.CertificateIdentity;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

/** The client certificate a finished handshake verified. */
public final class ClientCertificates {
    private ClientCertificates() {
    }

    /** The identity of the client's verified certificate, or null when it sent none. */
    public static CertificateIdentity identityOf(SslHandler ssl) {
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
                return CertificateIdentity.of(leaf);
            }
        } catch (SSLPeerUnverifiedException e) {
            // no client certificate
        }
        return null;
    }
}
