package io.respgate.proxy.tls;

import io.respgate.config.ConfigException;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/** {@link PemFiles} with errors that name the file and the config key that points at it. */
final class TlsFiles {
    private TlsFiles() {
    }

    static List<X509Certificate> certificates(Path file, String key) throws ConfigException {
        try {
            return PemFiles.certificates(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), key, "cannot read the file: " + reason(e));
        } catch (GeneralSecurityException e) {
            throw new ConfigException(file.toString(), key, e.getMessage());
        }
    }

    static PrivateKey privateKey(Path file, String key) throws ConfigException {
        try {
            return PemFiles.privateKey(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), key, "cannot read the file: " + reason(e));
        } catch (GeneralSecurityException e) {
            throw new ConfigException(file.toString(), key, e.getMessage());
        }
    }

    /**
     * Reads a certificate chain and its key, and checks that the key belongs to the leaf and that
     * the leaf is valid now; errors name {@code section.cert_file} or {@code section.key_file}.
     */
    static CertifiedKey certifiedKey(Path certFile, Path keyFile, String section) throws ConfigException {
        List<X509Certificate> chain = certificates(certFile, section + ".cert_file");
        PrivateKey key = privateKey(keyFile, section + ".key_file");
        try {
            CertificateChecks.checkValidity(chain, Instant.now());
        } catch (GeneralSecurityException e) {
            throw new ConfigException(certFile.toString(), section + ".cert_file", e.getMessage());
        }
        try {
            CertificateChecks.checkKeyMatches(key, chain.get(0));
        } catch (GeneralSecurityException e) {
            throw new ConfigException(keyFile.toString(), section + ".key_file", e.getMessage());
        }
        return new CertifiedKey(chain, key);
    }

    /** A short reason, without file contents. */
    static String reason(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
