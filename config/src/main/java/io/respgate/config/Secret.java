package io.respgate.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A password, held as bytes. It never prints itself ({@link #toString()} is {@code Secret[***]}),
 * and comparisons run in time independent of where the contents differ.
 */
public final class Secret {
    private final byte[] bytes;

    private Secret(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A secret holding a copy of {@code bytes}. */
    public static Secret of(byte[] bytes) {
        return new Secret(Objects.requireNonNull(bytes, "bytes").clone());
    }

    /** A secret holding the UTF-8 encoding of {@code text}. */
    public static Secret ofUtf8(String text) {
        return new Secret(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of the secret's bytes; the caller should overwrite it when done. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Number of bytes. */
    public int length() {
        return bytes.length;
    }

    /** Constant-time comparison with {@code candidate}. */
    public boolean matches(byte[] candidate) {
        return candidate != null && MessageDigest.isEqual(bytes, candidate);
    }

    /** Constant-time: compares contents with {@link MessageDigest#isEqual}. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && MessageDigest.isEqual(bytes, other.bytes);
    }

    /** Constant, so the hash reveals nothing about the contents. */
    @Override
    public int hashCode() {
        return 0x5ec2e7;
    }

    @Override
    public String toString() {
        return "Secret[***]";
    }
}
