package io.respgate.proxy.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority made with the {@code openssl} command at test time, so no
 * private key is ever committed. Each call issues a fresh key and certificate into the directory.
 */
public final class TestPki {
    /** How a private key is written. */
    public enum KeyFormat { PKCS8_EC, PKCS8_RSA, TRADITIONAL_RSA, TRADITIONAL_EC }

    /** A certificate and its key, as PEM files. */
    public record Issued(Path cert, Path key) {
    }

    private final Path dir;
    private final String name;
    private final Issued ca;

    private TestPki(Path dir, String name, Issued ca) {
        this.dir = dir;
        this.name = name;
        this.ca = ca;
    }

    /** A new CA named {@code name} in {@code dir}. */
    public static TestPki create(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path key = dir.resolve(name + "-ca.key");
        Path cert = dir.resolve(name + "-ca.crt");
        newKey(key, KeyFormat.PKCS8_EC);
        Path ext = writeExt(dir, name + "-ca.ext", List.of("basicConstraints=critical,CA:TRUE",
                "keyUsage=critical,keyCertSign,cRLSign", "subjectKeyIdentifier=hash"));
        run(dir, "openssl", "req", "-x509", "-new", "-key", key.toString(), "-out", cert.toString(),
                "-subj", "/CN=" + name + " Test CA", "-days", "3", "-extensions", "v3_ca_x",
                "-config", caConfig(dir, ext).toString());
        return new TestPki(dir, name, new Issued(cert, key));
    }

    public Path caCert() {
        return ca.cert();
    }

    /** A server certificate for localhost and 127.0.0.1. */
    public Issued server(String file) throws IOException {
        return issue(file, "/CN=localhost", List.of("DNS:localhost", "IP:127.0.0.1"), 2, KeyFormat.PKCS8_EC);
    }

    /**
     * Issues a certificate.
     *
     * @param subject  e.g. {@code /CN=api/O=Example}
     * @param sans     e.g. {@code DNS:api.internal}, {@code URI:spiffe://prod/ns/a/sa/b}, {@code IP:127.0.0.1}
     * @param days     validity; a negative number gives a certificate that has already expired
     */
    public Issued issue(String file, String subject, List<String> sans, int days, KeyFormat format) throws IOException {
        Path key = dir.resolve(file + ".key");
        Path csr = dir.resolve(file + ".csr");
        Path cert = dir.resolve(file + ".crt");
        newKey(key, format);
        run(dir, "openssl", "req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", subject);
        List<String> ext = new ArrayList<>(List.of("basicConstraints=CA:FALSE",
                "keyUsage=critical,digitalSignature,keyEncipherment", "extendedKeyUsage=serverAuth,clientAuth"));
        if (!sans.isEmpty()) {
            ext.add("subjectAltName=" + String.join(",", sans));
        }
        Path extFile = writeExt(dir, file + ".ext", ext);
        run(dir, "openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.cert().toString(),
                "-CAkey", ca.key().toString(), "-CAcreateserial", "-out", cert.toString(),
                "-days", Integer.toString(days), "-extfile", extFile.toString());
        return new Issued(cert, key);
    }

    private static void newKey(Path key, KeyFormat format) throws IOException {
        Path dir = key.getParent();
        switch (format) {
            case PKCS8_EC -> run(dir, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-out", key.toString());
            case PKCS8_RSA -> run(dir, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", key.toString());
            case TRADITIONAL_RSA -> run(dir, "openssl", "genrsa", "-traditional", "-out", key.toString(), "2048");
            case TRADITIONAL_EC -> run(dir, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout",
                    "-out", key.toString());
        }
    }

    private static Path writeExt(Path dir, String name, List<String> lines) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, lines, StandardCharsets.US_ASCII);
        return f;
    }

    private static Path caConfig(Path dir, Path ext) throws IOException {
        Path f = dir.resolve("ca-openssl.cnf");
        List<String> lines = new ArrayList<>(List.of("[req]", "distinguished_name=dn", "[dn]", "[v3_ca_x]"));
        lines.addAll(Files.readAllLines(ext));
        Files.write(f, lines, StandardCharsets.US_ASCII);
        return f;
    }

    private static void run(Path dir, String... command) throws IOException {
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

    @Override
    public String toString() {
        return "TestPki[" + name + "]";
    }
}
