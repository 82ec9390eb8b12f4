package io.respgate.proxy.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and private keys. Keys may be PKCS#8 ({@code BEGIN PRIVATE KEY}) or the
 * traditional OpenSSL forms ({@code BEGIN RSA PRIVATE KEY}, PKCS#1, and {@code BEGIN EC PRIVATE
 * KEY}, SEC 1), which are rewrapped as PKCS#8. Encrypted keys are refused with a hint. Errors say
 * what is wrong with the file, never what is in it.
 */
public final class PemFiles {
    private static final int MAX_FILE_SIZE = 1024 * 1024;
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]*={0,2}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    /** DER of the AlgorithmIdentifier for rsaEncryption (1.2.840.113549.1.1.1, NULL parameters). */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** DER of the OID id-ecPublicKey (1.2.840.10045.2.1). */
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private PemFiles() {
    }

    /** Every certificate in {@code file}, in order (a chain: leaf first). */
    public static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        byte[] bytes = read(file);
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        String text = new String(bytes, StandardCharsets.US_ASCII);
        Matcher m = BLOCK.matcher(text);
        Set<Integer> blocks = new HashSet<>();
        while (m.find()) {
            blocks.add(m.start());
            if (isCertificate(m.group(1))) {
                byte[] der = decode(m.group(2), "certificate");
                try {
                    out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
                } catch (CertificateException e) {
                    throw new GeneralSecurityException("a certificate in the file cannot be parsed");
                }
            }
        }
        // A chain whose last certificate was cut off must not load as a shorter chain.
        checkTerminated(text, blocks, PemFiles::isCertificate);
        if (out.isEmpty()) {
            throw new GeneralSecurityException("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    private static boolean isCertificate(String label) {
        return label.equals("CERTIFICATE") || label.equals("TRUSTED CERTIFICATE");
    }

    /** Throws if a block {@code relevant} says matters starts with BEGIN but has no matching END line. */
    private static void checkTerminated(String text, Set<Integer> blocks, Predicate<String> relevant)
            throws GeneralSecurityException {
        Matcher begin = BEGIN.matcher(text);
        while (begin.find()) {
            if (relevant.test(begin.group(1)) && !blocks.contains(begin.start())) {
                throw new GeneralSecurityException("has a PEM block (-----BEGIN " + begin.group(1) + "-----) without"
                        + " its -----END " + begin.group(1) + "----- line: the file is truncated or damaged");
            }
        }
    }

    /** The first private key in {@code file}. */
    public static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        byte[] bytes = read(file);
        String text = new String(bytes, StandardCharsets.US_ASCII);
        Arrays.fill(bytes, (byte) 0);
        Matcher m = BLOCK.matcher(text);
        Set<Integer> blocks = new HashSet<>();
        while (m.find()) {
            blocks.add(m.start());
            String type = m.group(1);
            if (type.equals("ENCRYPTED PRIVATE KEY") || (type.endsWith("PRIVATE KEY")
                    && m.group(2).contains("Proc-Type:") && m.group(2).contains("ENCRYPTED"))) {
                throw new GeneralSecurityException("holds an encrypted private key; RespGate needs it unencrypted"
                        + " (openssl pkey -in KEY -out KEY.plain) in a file only RespGate's user can read");
            }
            byte[] der = switch (type) {
                case "PRIVATE KEY" -> decode(m.group(2), "private key");
                case "RSA PRIVATE KEY" -> pkcs8(RSA_ALGORITHM, decode(m.group(2), "RSA private key"));
                case "EC PRIVATE KEY" -> ecToPkcs8(decode(m.group(2), "EC private key"));
                default -> null;
            };
            if (der != null) {
                try {
                    return keyOf(der);
                } finally {
                    Arrays.fill(der, (byte) 0);
                }
            }
            if (type.contains("PRIVATE KEY")) {
                throw new GeneralSecurityException("holds a key labelled " + type + ", which RespGate cannot read;"
                        + " write it as PKCS#8 (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8), or as an RSA or"
                        + " EC PRIVATE KEY");
            }
        }
        checkTerminated(text, blocks, label -> label.contains("PRIVATE KEY"));
        throw new GeneralSecurityException("holds no PEM private key (-----BEGIN PRIVATE KEY-----,"
                + " RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    private static PrivateKey keyOf(byte[] pkcs8) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs8);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("holds a private key of an unsupported type or a malformed one;"
                + " RSA, EC and Ed25519 keys are supported");
    }

    private static byte[] read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_SIZE) {
            throw new IOException("is larger than " + MAX_FILE_SIZE / 1024 + " KiB; it is not a PEM file");
        }
        return Files.readAllBytes(file);
    }

    /** Strict: only base64 characters and line breaks (a MIME decoder would skip anything else). */
    private static byte[] decode(String base64, String what) throws GeneralSecurityException {
        String compact = WHITESPACE.matcher(base64).replaceAll("");
        if (!BASE64.matcher(compact).matches()) {
            throw new GeneralSecurityException("a PEM " + what + " block is not valid base64");
        }
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("a PEM " + what + " block is not valid base64");
        }
    }

    /** PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0, algorithm, OCTET STRING key }. */
    private static byte[] pkcs8(byte[] algorithm, byte[] key) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(key.length + 32);
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithm);
        writeTlv(body, 0x04, key);
        ByteArrayOutputStream out = new ByteArrayOutputStream(key.length + 40);
        writeTlv(out, 0x30, body.toByteArray());
        return out.toByteArray();
    }

    /** SEC 1 ECPrivateKey carries its curve as [0] parameters: move it into the PKCS#8 algorithm. */
    private static byte[] ecToPkcs8(byte[] sec1) throws GeneralSecurityException {
        Der seq = new Der(sec1, 0);
        if (seq.tag != 0x30) {
            throw new GeneralSecurityException("the EC private key is malformed");
        }
        int p = seq.valueStart;
        byte[] curve = null;
        while (p < seq.end) {
            Der field = new Der(sec1, p);
            if (field.tag == 0xa0) {
                Der oid = new Der(sec1, field.valueStart);
                if (oid.tag != 0x06) {
                    throw new GeneralSecurityException("the EC private key does not name its curve");
                }
                curve = Arrays.copyOfRange(sec1, field.valueStart, oid.end);
            }
            p = field.end;
        }
        if (curve == null) {
            throw new GeneralSecurityException("the EC private key does not name its curve; write it as PKCS#8"
                    + " (openssl pkcs8 -topk8 -nocrypt)");
        }
        ByteArrayOutputStream algorithm = new ByteArrayOutputStream();
        algorithm.writeBytes(EC_PUBLIC_KEY_OID);
        algorithm.writeBytes(curve);
        ByteArrayOutputStream wrapped = new ByteArrayOutputStream();
        writeTlv(wrapped, 0x30, algorithm.toByteArray());
        return pkcs8(wrapped.toByteArray(), sec1);
    }

    private static void writeTlv(ByteArrayOutputStream out, int tag, byte[] value) {
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(value);
    }

    /** One DER tag-length-value header, bounds-checked against the array. */
    private static final class Der {
        final int tag;
        final int valueStart;
        final int end;

        Der(byte[] b, int at) throws GeneralSecurityException {
            if (at + 2 > b.length) {
                throw new GeneralSecurityException("the private key is truncated");
            }
            tag = b[at] & 0xff;
            int len = b[at + 1] & 0xff;
            int p = at + 2;
            if (len >= 0x80) {
                int count = len & 0x7f;
                if (count == 0 || count > 3 || p + count > b.length) {
                    throw new GeneralSecurityException("the private key is malformed");
                }
                len = 0;
                for (int i = 0; i < count; i++) {
                    len = len << 8 | (b[p++] & 0xff);
                }
            }
            valueStart = p;
            end = p + len;
            if (end > b.length) {
                throw new GeneralSecurityException("the private key is truncated");
            }
        }
    }
}
