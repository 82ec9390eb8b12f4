package io.respgate.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A configuration file that cannot be used. The message always starts with the file name and,
 * where the problem is in one key, the full key path: {@code respgate.yaml: listen.port: must be
 * ...}. Messages never contain secret values.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String sourceName;
    private final String keyPath;
    private final String problem;

    /** A problem with the key at {@code keyPath} (dotted, e.g. {@code listen.port}). */
    public ConfigException(String sourceName, String keyPath, String problem) {
        super(sourceName + ": " + keyPath + ": " + problem);
        this.sourceName = Objects.requireNonNull(sourceName);
        this.keyPath = Objects.requireNonNull(keyPath);
        this.problem = Objects.requireNonNull(problem);
    }

    /** A problem with the file as a whole (unreadable, empty, not YAML). */
    public static ConfigException ofFile(String sourceName, String problem) {
        return new ConfigException(sourceName, problem);
    }

    private ConfigException(String sourceName, String problem) {
        super(sourceName + ": " + problem);
        this.sourceName = Objects.requireNonNull(sourceName);
        this.keyPath = null;
        this.problem = Objects.requireNonNull(problem);
    }

    /** The file (or other source) name the message starts with. */
    public String sourceName() {
        return sourceName;
    }

    /** The dotted key path, if the problem is in one key. */
    public Optional<String> keyPath() {
        return Optional.ofNullable(keyPath);
    }

    /** The message without the file name and key path. */
    public String problem() {
        return problem;
    }
}
