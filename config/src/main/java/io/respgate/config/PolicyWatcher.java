package io.respgate.config;

import io.respgate.policy.PolicySnapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reloads a policy file when it changes ({@link FileChangeWatcher}) and on request, but only when
 * the file's content changed. A reload that succeeds hands the new snapshot to
 * {@code onReload}; one that fails keeps the old snapshot in force and hands the error text (file,
 * key and problem, never a secret) to {@code onError}. Callbacks run on the watcher thread (or the
 * caller of {@link #reloadNow}); nothing they throw escapes into the watcher thread.
 */
public final class PolicyWatcher implements AutoCloseable {
    public static final Duration DEFAULT_DEBOUNCE = FileChangeWatcher.DEFAULT_DEBOUNCE;

    private final Path file;
    private final Duration debounce;
    private final Consumer<PolicySnapshot> onReload;
    private final Consumer<String> onError;
    private final FileChangeWatcher watcher;
    private final Object lock = new Object();
    private volatile boolean closed;
    private String lastVersion;

    private PolicyWatcher(Path file, Duration debounce, Consumer<PolicySnapshot> onReload, Consumer<String> onError,
                          String initialVersion) throws IOException {
        this.file = file;
        this.debounce = debounce;
        this.onReload = onReload;
        this.onError = onError;
        this.lastVersion = initialVersion;
        this.watcher = FileChangeWatcher.start(List.of(file), debounce, () -> {
            if (Files.exists(file)) {
                reload(false);
            }
        }, error -> report(file + ": policy " + error), "respgate-policy-watcher");
    }

    /**
     * Starts watching {@code file}.
     *
     * @param current the snapshot in force (its version suppresses a reload of unchanged content); may be null
     */
    public static PolicyWatcher start(Path file, PolicySnapshot current, Consumer<PolicySnapshot> onReload,
                                      Consumer<String> onError) throws IOException {
        return start(file, current, DEFAULT_DEBOUNCE, onReload, onError);
    }

    public static PolicyWatcher start(Path file, PolicySnapshot current, Duration debounce,
                                      Consumer<PolicySnapshot> onReload, Consumer<String> onError) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(onReload, "onReload");
        Objects.requireNonNull(onError, "onError");
        return new PolicyWatcher(file, Objects.requireNonNull(debounce, "debounce"), onReload, onError,
                current == null ? null : current.version());
    }

    /**
     * Loads and compiles the file now (for SIGHUP or an admin request), whether or not it changed.
     *
     * @return whether a new snapshot was handed to {@code onReload}
     */
    public boolean reloadNow() {
        return reload(true);
    }

    private boolean reload(boolean force) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            PolicySnapshot snapshot;
            try {
                snapshot = PolicyLoader.load(file);
            } catch (ConfigException e) {
                report(e.getMessage() + " (the previous policy stays in force)");
                return false;
            } catch (RuntimeException e) {
                report(file + ": cannot load the policy (" + e.getClass().getSimpleName()
                        + "); the previous policy stays in force");
                return false;
            }
            if (!force && snapshot.version().equals(lastVersion)) {
                return false;
            }
            lastVersion = snapshot.version();
            try {
                onReload.accept(snapshot);
            } catch (RuntimeException e) {
                report(file + ": the new policy could not be applied (" + e.getClass().getSimpleName() + ")");
                return false;
            }
            return true;
        }
    }

    private void report(String message) {
        try {
            onError.accept(message);
        } catch (RuntimeException ignored) {
            // The error sink failed too; nothing more to do.
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        watcher.close();
    }
}
