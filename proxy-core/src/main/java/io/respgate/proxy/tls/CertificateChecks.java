package io.respgate.proxy.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/** Checks done before a certificate is put in force: in its validity period, and matching its key. */
final class CertificateChecks {
    private CertificateChecks() {
    }

    /** Throws when the leaf certificate is expired or not yet valid. */
    static void checkValidity(List<X509Certificate> chain, Instant now) throws GeneralSecurityException {
        X509Certificate leaf = chain.get(0);
        if (leaf.getNotAfter().toInstant().isBefore(now)) {
            throw new GeneralSecurityException("the certificate (" + leaf.getSubjectX500Principal().getName()
                    + ") expired on " + leaf.getNotAfter().toInstant());
        }
        if (leaf.getNotBefore().toInstant().isAfter(now)) {
            throw new GeneralSecurityException("the certificate (" + leaf.getSubjectX500Principal().getName()
                    + ") is not valid before " + leaf.getNotBefore().toInstant());
        }
    }

    /** Throws unless {@code key} is the private key of the leaf certificate (by signing a nonce). */
    static void checkKeyMatches(PrivateKey key, X509Certificate leaf) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448 sign with their own name
        };
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(nonce);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(nonce);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new GeneralSecurityException("the private key does not belong to the certificate ("
                    + leaf.getSubjectX500Principal().getName() + ")");
        }
    }
}
