package io.respgate.policy;

import io.respgate.codec.CommandFrame;
import io.respgate.policy.command.Frames;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: snapshots from user specs, decisions for command lines. */
final class Policies {
    private Policies() {
    }

    static PolicySnapshot snapshot(Guardrails guardrails, UserSpec... users) throws PolicyException {
        List<PolicyUser> compiled = new ArrayList<>();
        for (UserSpec u : users) {
            compiled.add(PolicyUser.compile(u));
        }
        return PolicySnapshot.of("test", Instant.EPOCH, guardrails, compiled);
    }

    static PolicySnapshot snapshot(UserSpec... users) throws PolicyException {
        return snapshot(Guardrails.defaults(), users);
    }

    /** The decision for a command line split on spaces ({@code ''} is the empty argument). */
    static Decision decide(PolicySnapshot s, String user, String line) {
        return decide(s, user, Frames.words(line));
    }

    static Decision decide(PolicySnapshot s, String user, String... args) {
        CommandFrame frame = Frames.frame(args);
        try {
            return s.decide(s.user(user), frame);
        } finally {
            frame.release();
        }
    }

    static Decision decideBytes(PolicySnapshot s, String user, byte[]... args) {
        CommandFrame frame = Frames.frame(args);
        try {
            return s.decide(s.user(user), frame);
        } finally {
            frame.release();
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String sha1Hex(String body) {
        return PasswordHashing.hex(PasswordHashing.digest("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8)));
    }

    static String sha256(String password) {
        return PasswordHashing.sha256Hex(password.getBytes(StandardCharsets.UTF_8));
    }
}
