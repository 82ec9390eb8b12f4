package io.respgate.proxy.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** A certificate chain (leaf first) and its private key, checked to belong together and to be valid now. */
record CertifiedKey(List<X509Certificate> chain, PrivateKey key) {
    X509Certificate leaf() {
        return chain.get(0);
    }
}
