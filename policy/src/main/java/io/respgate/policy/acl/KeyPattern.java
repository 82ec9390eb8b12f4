package io.respgate.policy.acl;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One key pattern of a selector: {@code ~p} (read and write), {@code %R~p}, {@code %W~p} or
 * {@code %RW~p}. Adding the same pattern twice merges the permissions, as Redis does.
 */
public final class KeyPattern {
    private final byte[] pattern;
    private final boolean read;
    private final boolean write;

    KeyPattern(byte[] pattern, boolean read, boolean write) {
        this.pattern = pattern;
        this.read = read;
        this.write = write;
    }

    /** The glob's bytes (a copy). */
    public byte[] pattern() {
        return pattern.clone();
    }

    byte[] rawPattern() {
        return pattern;
    }

    public boolean read() {
        return read;
    }

    public boolean write() {
        return write;
    }

    KeyPattern merge(boolean r, boolean w) {
        return new KeyPattern(pattern, read || r, write || w);
    }

    boolean samePattern(byte[] other) {
        return Arrays.equals(pattern, other);
    }

    /** The rule that adds this pattern, as {@code ACL GETUSER} shows it. */
    @Override
    public String toString() {
        String prefix = read && write ? "~" : read ? "%R~" : "%W~";
        return prefix + new String(pattern, StandardCharsets.UTF_8);
    }
}
