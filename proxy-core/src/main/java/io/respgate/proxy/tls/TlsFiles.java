package io.respgate.proxy.tls;

import io.respgate.config.ConfigException;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
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
