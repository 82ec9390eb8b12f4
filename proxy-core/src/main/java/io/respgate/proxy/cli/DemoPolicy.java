package io.respgate.proxy.cli;

import io.respgate.config.ConfigException;
import io.respgate.config.PolicyLoader;
import io.respgate.policy.PasswordHashing;
import io.respgate.policy.PolicySnapshot;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * The demo's own policy: no anonymous access, an application user that may do everything but the
 * dangerous commands, and a read-only user on a key prefix. Passwords are fresh for every run, so
 * a demo left running is not an open door.
 */
record DemoPolicy(PolicySnapshot snapshot, String appPassword, String readerPassword) {
    static final String APP_USER = "app";
    static final String READER_USER = "reader";
    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    static DemoPolicy generate() {
        SecureRandom random = new SecureRandom();
        String app = password(random);
        String reader = password(random);
        String yaml = """
                users:
                  default:
                    acl: "off"
                  %s:
                    acl: "on #%s ~* &* +@all -@dangerous"
                  %s:
                    acl: "on #%s %%R~cache:* -@all +@read +@connection -keys"
                """.formatted(APP_USER, hash(app), READER_USER, hash(reader));
        try {
            return new DemoPolicy(PolicyLoader.parse(yaml, "demo policy"), app, reader);
        } catch (ConfigException e) {
            throw new IllegalStateException("the built-in demo policy does not load: " + e.getMessage(), e);
        }
    }

    private static String password(SecureRandom random) {
        char[] out = new char[16];
        for (int i = 0; i < out.length; i++) {
            out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    private static String hash(String password) {
        return PasswordHashing.sha256Hex(password.getBytes(StandardCharsets.UTF_8));
    }
}
