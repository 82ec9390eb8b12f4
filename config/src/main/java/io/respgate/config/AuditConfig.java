package io.respgate.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code audit}: the structured audit log, one JSON object per line.
 *
 * @param file where the lines go (appended)
 * @param keys how the first key of a command is recorded
 */
public record AuditConfig(Path file, KeyMode keys) {
    /** How keys appear in the audit log: they can be personal data. */
    public enum KeyMode {
        /** The key as sent. */
        FULL,
        /** The first 16 hex digits of the key's SHA-256: equal keys are recognisable, their text is not. */
        HASHED,
        /** No key. */
        OMITTED
    }

    public AuditConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(keys, "keys");
    }
}
