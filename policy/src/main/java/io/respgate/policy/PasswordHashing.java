package io.respgate.policy;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The password hash of policy files: lower-case hex SHA-256, as Redis's {@code #<hash>} ACL rule takes it. */
public final class PasswordHashing {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PasswordHashing() {
    }

    /** Lower-case hex SHA-256 of {@code secret}; the array is not kept. */
    public static String sha256Hex(byte[] secret) {
        return hex(sha256(secret));
    }

    static byte[] sha256(byte[] data) {
        return digest("SHA-256").digest(data);
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }

    static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[i * 2] = HEX[(bytes[i] >> 4) & 0xf];
            out[i * 2 + 1] = HEX[bytes[i] & 0xf];
        }
        return new String(out);
    }

    /** Decodes lower- or upper-case hex of even length; null if it is not hex. */
    static byte[] unhex(String hex) {
        if ((hex.length() & 1) != 0) {
            return null;
        }
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(hex.charAt(i * 2), 16);
            int lo = Character.digit(hex.charAt(i * 2 + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }
}
