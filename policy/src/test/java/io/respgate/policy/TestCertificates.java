package io.respgate.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed X.509 certificates made with the {@code openssl} command at test time, so no key is
 * ever committed. Keys stay in the (temporary) directory.
 */
final class TestCertificates {
    private final Path dir;
    private int count;

    TestCertificates(Path dir) {
        this.dir = dir;
    }

    /**
     * A certificate for {@code subject} ({@code /O=Example/CN=api}) with {@code sans}
     * ({@code DNS:api.internal}, {@code URI:spiffe://...}); {@code extra} openssl req options.
     */
    X509Certificate issue(String subject, List<String> sans, String... extra) throws IOException {
        int n = ++count;
        Path key = dir.resolve("cert" + n + ".key");
        Path cert = dir.resolve("cert" + n + ".crt");
        List<String> command = new ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "2", "-subj", subject));
        if (!sans.isEmpty()) {
            command.add("-addext");
            command.add("subjectAltName=" + String.join(",", sans));
        }
        command.addAll(List.of(extra));
        run(command);
        try (InputStream in = Files.newInputStream(cert)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException("openssl wrote a certificate the JDK cannot read", e);
        }
    }

    private void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
