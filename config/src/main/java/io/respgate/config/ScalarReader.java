package io.respgate.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the scalar values of one YAML file (strings, ports, counts, sizes, durations, booleans,
 * paths), each checked with an error that names the file and the key.
 */
class ScalarReader {
    final String source;
    final Path baseDir;

    ScalarReader(String source, Path baseDir) {
        this.source = source;
        this.baseDir = baseDir;
    }

    String string(String path, Object value, String what) throws ConfigException {
        if (!(value instanceof String s)) {
            throw error(path, "must be " + what + ", got " + Values.describe(value));
        }
        if (s.isBlank()) {
            throw error(path, "must be " + what + ", got an empty string");
        }
        return s;
    }

    int port(String path, Object value) throws ConfigException {
        Long n = Values.integral(value);
        if (n == null || n < 1 || n > 65535) {
            throw error(path, "must be an integer between 1 and 65535, got " + Values.describe(value));
        }
        return n.intValue();
    }

    long count(String path, Object value, long max) throws ConfigException {
        Long n = Values.integral(value);
        if (n == null || n < 1 || n > max) {
            throw error(path, "must be an integer between 1 and " + max + ", got " + Values.describe(value));
        }
        return n;
    }

    /** Like {@link #count}, also accepting 0 ({@code zero} says what 0 means, for the error message). */
    long countOrZero(String path, Object value, long max, String zero) throws ConfigException {
        Long n = Values.integral(value);
        if (n == null || n < 0 || n > max) {
            throw error(path, "must be an integer between 0 and " + max + " (" + zero + "), got "
                    + Values.describe(value));
        }
        return n;
    }

    long size(String path, Object value, long max) throws ConfigException {
        long bytes = Values.size(value);
        if (bytes == Values.SIZE_OVERFLOW) {
            throw error(path, "must be between 1 byte and " + Values.formatSize(max) + " bytes, got "
                    + Values.describe(value) + ", which is too large");
        }
        if (bytes < 0 && Values.integral(value) == null) {
            String hint = Values.singleLetterSize(value)
                    ? " (write kb, mb or gb: in Redis a bare k, m or g means powers of 1000)" : "";
            throw error(path, "must be a size in bytes, as an integer or with a kb/mb/gb suffix (e.g. 64kb,"
                    + " 512mb)" + hint + ", got " + Values.describe(value));
        }
        if (bytes < 1 || bytes > max) {
            throw error(path, "must be between 1 byte and " + Values.formatSize(max) + " bytes, got "
                    + Values.describe(value));
        }
        return bytes;
    }

    Duration duration(String path, Object value, Duration min, Duration max) throws ConfigException {
        Duration d = Values.duration(value);
        if (d == null) {
            String hint = Values.integral(value) != null || value instanceof Double
                    ? " (a plain number is ambiguous: add a unit)" : "";
            throw error(path, "must be a duration with a unit: ms, s, m or h (e.g. \"250ms\", \"2s\", \"1m\")"
                    + hint + ", got " + Values.describe(value));
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw error(path, "must be between " + Values.format(min) + " and " + Values.format(max)
                    + ", got " + Values.describe(value));
        }
        return d;
    }

    ConfigException error(String path, String problem) {
        return new ConfigException(source, path, problem);
    }

    boolean bool(String path, Object value) throws ConfigException {
        if (!(value instanceof Boolean b)) {
            throw error(path, "must be true or false, got " + Values.describe(value));
        }
        return b;
    }

    /** A list of non-blank strings; a single string is a list of one. */
    List<String> strings(String path, Object value, String what) throws ConfigException {
        if (value instanceof String) {
            return List.of(string(path, value, what));
        }
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            throw error(path, "must be a non-empty list of " + what + ", got " + Values.describe(value));
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(string(path + "[" + i + "]", list.get(i), what));
        }
        return out;
    }

    /** A file path; a relative one is resolved against the config file's directory. */
    Path file(String path, Object value, String what) throws ConfigException {
        String name = string(path, value, what);
        try {
            return baseDir.resolve(name.strip()).normalize();
        } catch (InvalidPathException e) {
            throw error(path, "is not a valid path, got " + Values.quote(name));
        }
    }
}
