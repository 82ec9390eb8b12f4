package io.respgate.config;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the config and policy loaders share: bounded UTF-8 file reading, strict YAML loading (core
 * schema, no duplicate keys, small alias budget, messages without source snippets) and sections
 * with known keys only.
 */
final class YamlSupport {
    private static final int MAX_ALIASES = 50;

    private YamlSupport() {
    }

    /** The file as UTF-8 text; {@code what} ("config file", "policy file") is named in errors. */
    static String readUtf8(Path file, String source, int maxSize, String what) throws ConfigException {
        return decodeUtf8(readBytes(file, source, maxSize, what), source, what);
    }

    static byte[] readBytes(Path file, String source, int maxSize, String what) throws ConfigException {
        byte[] bytes;
        try {
            bytes = readBounded(file, maxSize);
        } catch (IOException e) {
            throw ConfigException.ofFile(source, "cannot read the " + what + ": " + ioReason(e));
        }
        if (bytes == null) {
            throw ConfigException.ofFile(source, "the " + what + " is larger than " + maxSize / 1024 + " KiB");
        }
        return bytes;
    }

    static String decodeUtf8(byte[] bytes, String source, String what) throws ConfigException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ConfigException.ofFile(source, "the " + what + " is not valid UTF-8");
        }
    }

    /** The file's bytes, or null if it holds more than {@code max} bytes. */
    static byte[] readBounded(Path file, int max) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("is a directory");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(max + 1);
            return bytes.length > max ? null : bytes;
        }
    }

    /** A short reason for an I/O failure; never file contents. */
    static String ioReason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + " (" + message + ")";
    }

    static Object load(String yaml, String source, int maxSize) throws ConfigException {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(source)
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(MAX_ALIASES)
                .setCodePointLimit(maxSize)
                .setUseMarks(true)
                .build();
        try {
            return new Load(settings).loadFromString(yaml);
        } catch (MarkedYamlEngineException e) {
            // Only the problem and position: the engine's snippet of the line could hold a secret.
            StringBuilder sb = new StringBuilder("invalid YAML");
            Optional<Mark> mark = e.getProblemMark();
            mark.ifPresent(m -> sb.append(" at line ").append(m.getLine() + 1)
                    .append(", column ").append(m.getColumn() + 1));
            sb.append(": ").append(firstLine(e.getProblem()));
            throw ConfigException.ofFile(source, sb.toString());
        } catch (YamlEngineException e) {
            throw ConfigException.ofFile(source, "invalid YAML: " + firstLine(e.getMessage()));
        } catch (StackOverflowError e) {
            throw ConfigException.ofFile(source, "invalid YAML: nested too deeply");
        } catch (RuntimeException e) {
            throw ConfigException.ofFile(source, "invalid YAML (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable document";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    /**
     * Checks that {@code value} is a mapping with string keys from {@code known} only. An absent
     * or empty section is an empty mapping.
     */
    static Map<String, Object> section(String source, String path, Object value, List<String> known,
                                       Set<String> reserved) throws ConfigException {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigException(source, path, "must be a mapping with the keys " + String.join(", ", known)
                    + ", got " + Values.describe(value));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            Object key = entry.getKey();
            String keyText = key instanceof String s ? s : String.valueOf(key);
            String keyPath = join(path, keyText);
            if (!(key instanceof String)) {
                throw new ConfigException(source, keyPath, "unknown key (expected one of: "
                        + String.join(", ", known) + ")");
            }
            if (reserved.contains(keyText)) {
                throw new ConfigException(source, keyPath, "not supported yet by this version");
            }
            if (!known.contains(keyText)) {
                throw new ConfigException(source, keyPath, "unknown key (expected one of: "
                        + String.join(", ", known) + ")");
            }
            result.put(keyText, entry.getValue());
        }
        return result;
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
