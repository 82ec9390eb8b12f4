package io.respgate.proxy.signals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One line of {@code ACL LIST} with its secrets removed. Password hashes ({@code #...}) and any
 * plaintext password rule ({@code >...}, {@code <...}) never become a {@code String}: they are only
 * fed into a SHA-256 digest, kept in memory to notice that passwords changed, and never printed.
 * A hash of a weak password is as good as the password.
 *
 * @param name  the user
 * @param rules the rules without secrets, as Redis prints them
 */
record AclUser(String name, String rules, byte[] secretsDigest) {
    AclUser {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(secretsDigest, "secretsDigest");
    }

    /**
     * Parses {@code user NAME rule...} from the bytes of one reply line; the caller zeroes them.
     *
     * @throws IllegalArgumentException if it is not a user line; the message never quotes it
     */
    static AclUser parse(byte[] line) {
        MessageDigest digest = sha256();
        List<String> kept = new ArrayList<>();
        String first = null;
        String name = null;
        int i = 0;
        int n = line.length;
        while (i < n) {
            while (i < n && line[i] == ' ') {
                i++;
            }
            if (i >= n) {
                break;
            }
            int start = i;
            if (line[i] == '(') {
                // A selector stays one token, spaces and all; selectors hold no passwords.
                while (i < n && line[i] != ')') {
                    i++;
                }
                i = Math.min(n, i + 1);
            } else {
                while (i < n && line[i] != ' ') {
                    i++;
                }
            }
            byte b = line[start];
            if (first != null && name != null && (b == '#' || b == '>' || b == '<')) {
                digest.update(line, start, i - start);
                digest.update((byte) ' ');
                continue;
            }
            String token = new String(line, start, i - start, StandardCharsets.UTF_8);
            if (first == null) {
                first = token;
            } else if (name == null) {
                name = token;
            } else {
                kept.add(token);
            }
        }
        if (!"user".equals(first) || name == null) {
            throw new IllegalArgumentException("not an ACL LIST user line");
        }
        return new AclUser(Printable.clean(name, 100), Printable.clean(String.join(" ", kept), 1000), digest.digest());
    }

    boolean sameSecrets(AclUser other) {
        return MessageDigest.isEqual(secretsDigest, other.secretsDigest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AclUser u && name.equals(u.name) && rules.equals(u.rules) && sameSecrets(u);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + rules.hashCode();
    }

    /** Never the digest. */
    @Override
    public String toString() {
        return "AclUser[" + name + " " + rules + "]";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** For tests: the digest of nothing, i.e. a user without passwords. */
    static byte[] noSecrets() {
        return sha256().digest();
    }

    /** Copies for the record's accessor: the caller cannot change this user's digest. */
    @Override
    public byte[] secretsDigest() {
        return Arrays.copyOf(secretsDigest, secretsDigest.length);
    }
}
