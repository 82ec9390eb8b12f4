package io.respgate.config;

import io.respgate.policy.PolicySnapshot;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reloads a policy file when it changes and on request. Watches the file's directory (so editors
 * that write a new file and rename it over the old one, and symlink swaps as in Kubernetes
 * ConfigMaps, are seen), waits until the directory has been quiet for the debounce period, and
 * reloads only when the file's content changed. A reload that succeeds hands the new snapshot to
 * {@code onReload}; one that fails keeps the old snapshot in force and hands the error text (file,
 * key and problem, never a secret) to {@code onError}. Callbacks run on the watcher thread (or the
 * caller of {@link #reloadNow}); nothing they throw escapes into the watcher thread.
 */
public final class PolicyWatcher implements AutoCloseable {
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(250);

    private final Path file;
    private final Duration debounce;
    private final Consumer<PolicySnapshot> onReload;
    private final Consumer<String> onError;
    private final WatchService watch;
    private final Thread thread;
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
        Path dir = file.toAbsolutePath().getParent();
        this.watch = FileSystems.getDefault().newWatchService();
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = new Thread(this::run, "respgate-policy-watcher");
        this.thread.setDaemon(true);
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
        PolicyWatcher w = new PolicyWatcher(file, Objects.requireNonNull(debounce, "debounce"), onReload, onError,
                current == null ? null : current.version());
        w.thread.start();
        return w;
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

    private void run() {
        String name = file.getFileName().toString();
        while (!closed) {
            try {
                WatchKey key = watch.take();
                boolean relevant = drain(key, name);
                // Debounce: wait until the directory is quiet.
                while (!closed) {
                    WatchKey more = watch.poll(debounce.toMillis(), TimeUnit.MILLISECONDS);
                    if (more == null) {
                        break;
                    }
                    relevant |= drain(more, name);
                }
                if (relevant && !closed && Files.exists(file)) {
                    reload(false);
                }
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                report(file + ": policy watcher error (" + e.getClass().getSimpleName() + ")");
            }
        }
    }

    /** Whether the events concern the policy file (or may: an overflow or a symlinked directory swap). */
    private static boolean drain(WatchKey key, String name) {
        boolean relevant = false;
        for (var event : key.pollEvents()) {
            Object ctx = event.context();
            relevant |= event.kind() == StandardWatchEventKinds.OVERFLOW || ctx == null
                    || ctx.toString().equals(name) || ctx.toString().startsWith("..");
        }
        key.reset();
        return relevant;
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        try {
            watch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
