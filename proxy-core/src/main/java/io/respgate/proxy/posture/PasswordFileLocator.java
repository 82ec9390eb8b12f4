package io.respgate.proxy.posture;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Finds {@code upstream.password_file} in a config file that {@code ConfigLoader} has already
 * accepted. The loaded config keeps the password but not the file it came from, and the file's
 * permissions are a finding of their own. Resolved like the loader does: against the config
 * file's directory.
 */
final class PasswordFileLocator {
    private PasswordFileLocator() {
    }

    static Optional<Path> find(Path configFile) {
        try {
            String text = Files.readString(configFile, StandardCharsets.UTF_8);
            Object root = new Load(LoadSettings.builder().build()).loadFromString(text);
            if (root instanceof Map<?, ?> top && top.get("upstream") instanceof Map<?, ?> upstream
                    && upstream.get("password_file") instanceof String name) {
                Path absolute = configFile.toAbsolutePath();
                Path base = absolute.getParent() != null ? absolute.getParent() : absolute;
                return Optional.of(base.resolve(name));
            }
        } catch (IOException | RuntimeException e) {
            // The loader read this file a moment ago; if it cannot be read again, there is no path to judge.
        }
        return Optional.empty();
    }
}
