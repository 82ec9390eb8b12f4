package io.respgate.proxy.tls;

import io.respgate.proxy.testing.TestPki;
import io.respgate.proxy.testing.TestPki.KeyFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PEM certificates and keys in every format RespGate reads, made with the openssl command at test time. */
class PemFilesTest {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----",
            Pattern.DOTALL);

    @TempDir
    static Path dir;
    static TestPki pki;
    /** A leaf certificate with a PKCS#8 EC key, used where the key format does not matter. */
    static TestPki.Issued leaf;

    @BeforeAll
    static void createPki() throws IOException {
        pki = TestPki.create(dir, "pem");
        leaf = pki.issue("leaf", "/CN=leaf.example/O=RespGate Tests", List.of("DNS:leaf.example"), 2,
                KeyFormat.PKCS8_EC);
    }

    // ---- keys that load ---------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(KeyFormat.class)
    void everyKeyFormatLoadsAndMatchesItsCertificate(KeyFormat format) throws Exception {
        TestPki.Issued issued = pki.issue("fmt-" + format.name().toLowerCase(), "/CN=" + format.name(),
                List.of(), 2, format);
        String pem = Files.readString(issued.key());
        String expectedLabel = switch (format) {
            case PKCS8_EC, PKCS8_RSA -> "PRIVATE KEY";
            case TRADITIONAL_RSA -> "RSA PRIVATE KEY";
            case TRADITIONAL_EC -> "EC PRIVATE KEY";
        };
        assertTrue(pem.contains("-----BEGIN " + expectedLabel + "-----"), "openssl wrote another format: " + pem
                .lines().findFirst().orElse(""));

        PrivateKey key = PemFiles.privateKey(issued.key());
        List<X509Certificate> chain = PemFiles.certificates(issued.cert());
        assertEquals(1, chain.size());
        assertEquals(format.name().startsWith("PKCS8_EC") || format == KeyFormat.TRADITIONAL_EC ? "EC" : "RSA",
                key.getAlgorithm());
        assertEquals("PKCS#8", key.getFormat());
        assertTrue(signsFor(key, chain.get(0).getPublicKey()), "the key does not match its certificate");
        // A negative control: the same check fails for another certificate's key.
        assertFalse(signsFor(key, PemFiles.certificates(leaf.cert()).get(0).getPublicKey()));
    }

    @Test
    void traditionalAndPkcs8FormsOfOneKeyAreTheSameKey() throws Exception {
        TestPki.Issued ec = pki.issue("same-ec", "/CN=same-ec", List.of(), 2, KeyFormat.TRADITIONAL_EC);
        Path pkcs8 = dir.resolve("same-ec.pk8");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", ec.key().toString(), "-out", pkcs8.toString());
        assertTrue(Files.readString(pkcs8).contains("BEGIN PRIVATE KEY"));
        // The encodings differ (the rewrapped SEC 1 key keeps its curve inside): compare the key itself.
        ECPrivateKey fromPkcs8 = (ECPrivateKey) PemFiles.privateKey(pkcs8);
        ECPrivateKey fromSec1 = (ECPrivateKey) PemFiles.privateKey(ec.key());
        assertEquals(fromPkcs8.getS(), fromSec1.getS());
        assertEquals(fromPkcs8.getParams().toString(), fromSec1.getParams().toString());
        assertEquals(fromPkcs8.getParams().getOrder(), fromSec1.getParams().getOrder());

        TestPki.Issued rsa = pki.issue("same-rsa", "/CN=same-rsa", List.of(), 2, KeyFormat.TRADITIONAL_RSA);
        Path rsa8 = dir.resolve("same-rsa.pk8");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", rsa.key().toString(), "-out", rsa8.toString());
        assertArrayEquals(PemFiles.privateKey(rsa8).getEncoded(), PemFiles.privateKey(rsa.key()).getEncoded());
    }

    @ParameterizedTest
    @ValueSource(strings = {"secp384r1", "secp521r1"})
    void traditionalEcKeysOnOtherCurvesLoad(String curve) throws Exception {
        Path key = dir.resolve("curve-" + curve + ".key");
        Path cert = dir.resolve("curve-" + curve + ".crt");
        openssl("ecparam", "-name", curve, "-genkey", "-noout", "-out", key.toString());
        openssl("req", "-x509", "-new", "-key", key.toString(), "-out", cert.toString(), "-subj", "/CN=" + curve,
                "-days", "2");
        assertTrue(Files.readString(key).contains("BEGIN EC PRIVATE KEY"));
        PrivateKey k = PemFiles.privateKey(key);
        assertEquals("EC", k.getAlgorithm());
        assertTrue(signsFor(k, PemFiles.certificates(cert).get(0).getPublicKey()));
    }

    @Test
    void ed25519KeysLoad() throws Exception {
        Path key = dir.resolve("ed.key");
        Path cert = dir.resolve("ed.crt");
        openssl("genpkey", "-algorithm", "ed25519", "-out", key.toString());
        openssl("req", "-x509", "-new", "-key", key.toString(), "-out", cert.toString(), "-subj", "/CN=ed", "-days", "2");
        PrivateKey k = PemFiles.privateKey(key);
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(k);
        signer.update(new byte[] {1, 2, 3});
        byte[] sig = signer.sign();
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(PemFiles.certificates(cert).get(0).getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(sig));
    }

    @Test
    void keyAfterTheCertificateInOneFileAndTextAroundTheBlocks() throws Exception {
        Path both = dir.resolve("both.pem");
        Files.writeString(both, "Bag Attributes\n    friendlyName: leaf\nsubject=/CN=leaf.example\n"
                + Files.readString(leaf.cert()) + "\nsome comment\n" + Files.readString(leaf.key()) + "trailing\n");
        PrivateKey key = PemFiles.privateKey(both);
        List<X509Certificate> chain = PemFiles.certificates(both);
        assertEquals(1, chain.size());
        assertTrue(signsFor(key, chain.get(0).getPublicKey()));
    }

    @Test
    void windowsLineEndingsLoad() throws Exception {
        Path key = dir.resolve("crlf.key");
        Path cert = dir.resolve("crlf.crt");
        Files.writeString(key, Files.readString(leaf.key()).replace("\n", "\r\n"));
        Files.writeString(cert, Files.readString(leaf.cert()).replace("\n", "\r\n"));
        assertTrue(signsFor(PemFiles.privateKey(key), PemFiles.certificates(cert).get(0).getPublicKey()));
    }

    // ---- certificate chains -----------------------------------------------------------------

    @Test
    void chainFileReturnsEveryCertificateInOrder() throws Exception {
        Path chainFile = dir.resolve("chain.pem");
        Files.writeString(chainFile, Files.readString(leaf.cert()) + Files.readString(pki.caCert()));
        List<X509Certificate> chain = PemFiles.certificates(chainFile);
        assertEquals(2, chain.size());
        assertEquals("O=RespGate Tests,CN=leaf.example", chain.get(0).getSubjectX500Principal().getName());
        assertEquals("CN=pem Test CA", chain.get(1).getSubjectX500Principal().getName());
        assertEquals(chain.get(1).getSubjectX500Principal(), chain.get(0).getIssuerX500Principal());
        chain.get(0).verify(chain.get(1).getPublicKey()); // the leaf really is signed by the second
        assertEquals(-1, chain.get(0).getBasicConstraints());
        assertTrue(chain.get(1).getBasicConstraints() >= 0);

        // Reversed file, reversed list: the order is the file's.
        Files.writeString(chainFile, Files.readString(pki.caCert()) + Files.readString(leaf.cert()));
        List<X509Certificate> reversed = PemFiles.certificates(chainFile);
        assertEquals(chain.get(1), reversed.get(0));
        assertEquals(chain.get(0), reversed.get(1));
    }

    @Test
    void chainWithACutCertificateIsNotAShorterChain() throws Exception {
        String ca = Files.readString(pki.caCert());
        Path cutLast = Files.writeString(dir.resolve("chain-cut-last.pem"),
                Files.readString(leaf.cert()) + ca.substring(0, ca.length() / 2));
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.certificates(cutLast));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        String cert = Files.readString(leaf.cert());
        Path cutFirst = Files.writeString(dir.resolve("chain-cut-first.pem"), cert.substring(0, cert.length() / 2)
                + "\n" + ca);
        assertThrows(GeneralSecurityException.class, () -> PemFiles.certificates(cutFirst));
    }

    @Test
    void certificatesSkipKeysInTheSameFile() throws Exception {
        Path mixed = dir.resolve("mixed.pem");
        Files.writeString(mixed, Files.readString(leaf.key()) + Files.readString(leaf.cert())
                + Files.readString(pki.caCert()));
        assertEquals(2, PemFiles.certificates(mixed).size());
    }

    @Test
    void corruptCertificateIsRefused() throws Exception {
        String pem = Files.readString(leaf.cert());
        Matcher m = BLOCK.matcher(pem);
        assertTrue(m.find());
        byte[] der = Base64.getMimeDecoder().decode(m.group(2).strip());
        byte[] cut = java.util.Arrays.copyOf(der, der.length / 2);
        Path file = dir.resolve("cut-cert.pem");
        Files.writeString(file, pem(m.group(1), cut));
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.certificates(file));
        assertTrue(e.getMessage().contains("cannot be parsed"), e.getMessage());
    }

    // ---- encrypted keys ---------------------------------------------------------------------

    @Test
    void encryptedPkcs8KeyIsRefusedWithAHint() throws Exception {
        Path encrypted = dir.resolve("enc8.key");
        openssl("pkey", "-in", leaf.key().toString(), "-aes256", "-passout", "pass:x", "-out", encrypted.toString());
        assertTrue(Files.readString(encrypted).contains("BEGIN ENCRYPTED PRIVATE KEY"));
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(encrypted));
        assertEncryptedHint(e, encrypted);
    }

    @Test
    void encryptedTraditionalKeyIsRefusedWithAHint() throws Exception {
        TestPki.Issued rsa = pki.issue("enc-trad", "/CN=enc-trad", List.of(), 2, KeyFormat.TRADITIONAL_RSA);
        Path encrypted = dir.resolve("enc-trad-aes.key");
        openssl("rsa", "-in", rsa.key().toString(), "-aes256", "-passout", "pass:x", "-traditional",
                "-out", encrypted.toString());
        String pem = Files.readString(encrypted);
        assertTrue(pem.contains("BEGIN RSA PRIVATE KEY") && pem.contains("Proc-Type: 4,ENCRYPTED"), pem);
        assertEncryptedHint(assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(encrypted)),
                encrypted);

        TestPki.Issued ec = pki.issue("enc-trad-ec", "/CN=enc-trad-ec", List.of(), 2, KeyFormat.TRADITIONAL_EC);
        Path encryptedEc = dir.resolve("enc-trad-ec-aes.key");
        openssl("ec", "-in", ec.key().toString(), "-aes256", "-passout", "pass:x", "-out", encryptedEc.toString());
        assertTrue(Files.readString(encryptedEc).contains("BEGIN EC PRIVATE KEY"));
        assertEncryptedHint(assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(encryptedEc)),
                encryptedEc);
    }

    private static void assertEncryptedHint(GeneralSecurityException e, Path file) throws IOException {
        assertTrue(e.getMessage().contains("encrypted"), e.getMessage());
        assertTrue(e.getMessage().contains("openssl pkey"), "no hint how to decrypt: " + e.getMessage());
        assertNoContent(e, file);
    }

    // ---- files without a usable key or certificate ------------------------------------------

    @Test
    void emptyFileHoldsNeitherKeyNorCertificate() throws Exception {
        Path empty = Files.write(dir.resolve("empty.pem"), new byte[0]);
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(empty));
        assertTrue(e.getMessage().contains("holds no PEM private key"), e.getMessage());
        e = assertThrows(GeneralSecurityException.class, () -> PemFiles.certificates(empty));
        assertTrue(e.getMessage().contains("holds no PEM certificate"), e.getMessage());
    }

    @Test
    void garbageIsRefusedWithoutEchoingIt() throws Exception {
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        Path binary = Files.write(dir.resolve("garbage.bin"), random);
        assertTrue(assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(binary)).getMessage()
                .contains("holds no PEM private key"));
        assertTrue(assertThrows(GeneralSecurityException.class, () -> PemFiles.certificates(binary)).getMessage()
                .contains("holds no PEM certificate"));

        Path text = Files.writeString(dir.resolve("garbage.txt"), "password=hunter2\nnot a pem file at all\n");
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(text));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void certificateFileIsNotAKeyAndKeyFileIsNotACertificate() throws Exception {
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> PemFiles.privateKey(leaf.cert()));
        assertTrue(e.getMessage().contains("holds no PEM private key"), e.getMessage());
        e = assertThrows(GeneralSecurityException.class, () -> PemFiles.certificates(leaf.key()));
        assertTrue(e.getMessage().contains("holds no PEM certificate"), e.getMessage());
        assertNoContent(e, leaf.key());
    }

    @Test
    void missingAndOversizedFilesAreIoErrors() throws Exception {
        Path missing = dir.resolve("missing.pem");
        assertThrows(NoSuchFileException.class, () -> PemFiles.privateKey(missing));
        assertThrows(NoSuchFileException.class, () -> PemFiles.certificates(missing));
        Path big = dir.resolve("big.pem");
        Files.writeString(big, Files.readString(leaf.key()) + "#".repeat(1024 * 1024));
        IOException e = assertThrows(IOException.class, () -> PemFiles.privateKey(big));
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
        assertThrows(IOException.class, () -> PemFiles.certificates(big));
        assertThrows(IOException.class, () -> PemFiles.privateKey(dir));
    }

    // ---- damaged and mislabelled keys -------------------------------------------------------

    @Test
    void truncatedTraditionalEcKeyIsRefused() throws Exception {
        TestPki.Issued ec = pki.issue("trunc-ec", "/CN=trunc-ec", List.of(), 2, KeyFormat.TRADITIONAL_EC);
        byte[] der = der(ec.key());
        for (int length : new int[] {1, 2, 10, der.length / 2, der.length - 1}) {
            Path file = Files.writeString(dir.resolve("trunc-ec-" + length + ".key"),
                    pem("EC PRIVATE KEY", java.util.Arrays.copyOf(der, length)));
            GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(file),
                    "a key cut to " + length + " bytes loaded");
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("malformed"),
                    length + ": " + e.getMessage());
            assertNoContent(e, file);
        }
    }

    @Test
    void truncatedPkcs8KeyIsRefused() throws Exception {
        byte[] der = der(leaf.key());
        for (int length : new int[] {0, 3, der.length / 2, der.length - 1}) {
            Path file = Files.writeString(dir.resolve("trunc-p8-" + length + ".key"),
                    pem("PRIVATE KEY", java.util.Arrays.copyOf(der, length)));
            GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(file),
                    "a key cut to " + length + " bytes loaded");
            assertNoContent(e, file);
        }
    }

    @Test
    void fileCutInTheMiddleOfTheBlockIsRefused() throws Exception {
        String pem = Files.readString(leaf.key());
        Path file = Files.writeString(dir.resolve("cut.key"), pem.substring(0, pem.length() / 2));
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(file));
        assertTrue(e.getMessage().contains("END"), "should say the END line is missing: " + e.getMessage());
        assertNoContent(e, file);

        String cert = Files.readString(leaf.cert());
        Path certFile = Files.writeString(dir.resolve("cut.crt"), cert.substring(0, cert.length() / 2));
        e = assertThrows(GeneralSecurityException.class, () -> PemFiles.certificates(certFile));
        assertTrue(e.getMessage().contains("END"), "should say the END line is missing: " + e.getMessage());
    }

    @Test
    void ecKeyWithExplicitCurveParametersIsRefused() throws Exception {
        Path key = dir.resolve("explicit.key");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-param_enc", "explicit", "-out", key.toString());
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(key));
        assertTrue(e.getMessage().contains("curve"), e.getMessage());
    }

    @Test
    void keyBodiesUnderTheWrongLabelAreRefused() throws Exception {
        byte[] pkcs8Ec = der(leaf.key());
        byte[] sec1 = der(pki.issue("wl-ec", "/CN=wl-ec", List.of(), 2, KeyFormat.TRADITIONAL_EC).key());
        byte[] pkcs1 = der(pki.issue("wl-rsa", "/CN=wl-rsa", List.of(), 2, KeyFormat.TRADITIONAL_RSA).key());
        String[][] cases = {
                {"RSA PRIVATE KEY", "pkcs8"}, {"EC PRIVATE KEY", "pkcs8"},
                {"PRIVATE KEY", "sec1"}, {"RSA PRIVATE KEY", "sec1"},
                {"PRIVATE KEY", "pkcs1"}, {"EC PRIVATE KEY", "pkcs1"}};
        for (String[] c : cases) {
            byte[] body = switch (c[1]) {
                case "pkcs8" -> pkcs8Ec;
                case "sec1" -> sec1;
                default -> pkcs1;
            };
            Path file = Files.writeString(dir.resolve("wrong-" + c[0].replace(' ', '_') + "-" + c[1] + ".key"),
                    pem(c[0], body));
            GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(file),
                    c[1] + " under " + c[0] + " loaded");
            assertNoContent(e, file);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TRADITIONAL PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY",
            "PRIVATE KEY 2", "ANY PRIVATE KEY"})
    void unsupportedKeyLabelsAreRefusedByName(String label) throws Exception {
        Path file = Files.writeString(dir.resolve("label-" + label.replace(' ', '_') + ".key"),
                pem(label, der(leaf.key())));
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(file));
        assertTrue(e.getMessage().contains(label), "should name the label it cannot read: " + e.getMessage());
        assertTrue(e.getMessage().contains("PKCS#8") || e.getMessage().contains("openssl"),
                "should say how to convert: " + e.getMessage());
        assertNoContent(e, file);
    }

    @Test
    void mismatchedBeginAndEndLabelsAreNotABlock() throws Exception {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der(leaf.key()));
        Path file = Files.writeString(dir.resolve("mismatch.key"),
                "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END RSA PRIVATE KEY-----\n");
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(file));
        assertNoContent(e, file);
        Path lower = Files.writeString(dir.resolve("lower.key"),
                "-----begin private key-----\n" + body + "\n-----end private key-----\n");
        assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(lower));
    }

    @Test
    void invalidBase64IsRefused() throws Exception {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der(leaf.key()));
        String broken = body.substring(0, 40) + "!*&^%$" + body.substring(40);
        Path file = Files.writeString(dir.resolve("b64.key"),
                "-----BEGIN PRIVATE KEY-----\n" + broken + "\n-----END PRIVATE KEY-----\n");
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(file));
        assertTrue(e.getMessage().contains("base64"), e.getMessage());
        assertNoContent(e, file);

        Path cert = Files.writeString(dir.resolve("b64.crt"), "-----BEGIN CERTIFICATE-----\n@@@@\n"
                + "-----END CERTIFICATE-----\n");
        e = assertThrows(GeneralSecurityException.class, () -> PemFiles.certificates(cert));
        assertTrue(e.getMessage().contains("base64"), e.getMessage());
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static boolean signsFor(PrivateKey key, PublicKey publicKey) throws GeneralSecurityException {
        String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        byte[] data = "respgate pem test".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(data);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        try {
            verifier.initVerify(publicKey);
        } catch (java.security.InvalidKeyException e) {
            return false; // another key type altogether
        }
        verifier.update(data);
        return verifier.verify(signature);
    }

    /** The DER of the first PEM block in {@code file}. */
    private static byte[] der(Path file) throws IOException {
        Matcher m = BLOCK.matcher(Files.readString(file));
        assertTrue(m.find(), "no PEM block in " + file);
        return Base64.getMimeDecoder().decode(m.group(2).strip());
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** The message holds no line of the file's base64 (no key material). */
    private static void assertNoContent(Exception e, Path file) throws IOException {
        String message = String.valueOf(e.getMessage());
        for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            String l = line.strip();
            if (l.length() >= 16 && !l.startsWith("-----")) {
                assertFalse(message.contains(l.substring(0, 16)), "message shows file content: " + message);
            }
        }
    }

    private static void openssl(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
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
