package io.respgate.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Calls {@code onChange} when any of some files changes. Watches the files' directories (so
 * editors that write a new file and rename it over the old one, and symlink swaps as in Kubernetes
 * ConfigMaps and Secrets, are seen) and waits until they have been quiet for the debounce period,
 * so a certificate and its key written one after the other cause one call. The callback runs on
 * the watcher's own thread; nothing it throws ends the watcher.
 */
public final class FileChangeWatcher implements AutoCloseable {
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(250);

    /** The watched file names, per watched directory. */
    private final Map<Path, Set<String>> names = new HashMap<>();
    private final Duration debounce;
    private final Runnable onChange;
    private final Consumer<String> onError;
    private final WatchService watch;
    private final Thread thread;
    private volatile boolean closed;

    private FileChangeWatcher(List<Path> files, Duration debounce, Runnable onChange, Consumer<String> onError,
                              String threadName) throws IOException {
        this.debounce = debounce;
        this.onChange = onChange;
        this.onError = onError;
        this.watch = FileSystems.getDefault().newWatchService();
        for (Path file : files) {
            Path absolute = file.toAbsolutePath().normalize();
            Path dir = absolute.getParent();
            if (dir == null || absolute.getFileName() == null) {
                watch.close();
                throw new IOException(file + " is not a file in a directory");
            }
            names.computeIfAbsent(dir, d -> new HashSet<>()).add(absolute.getFileName().toString());
        }
        try {
            for (Path dir : names.keySet()) {
                dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        } catch (IOException | RuntimeException e) {
            watch.close();
            throw e;
        }
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching.
     *
     * @param onError receives a short text when the watcher itself fails (never file contents)
     */
    public static FileChangeWatcher start(List<Path> files, Duration debounce, Runnable onChange,
                                          Consumer<String> onError, String threadName) throws IOException {
        FileChangeWatcher w = new FileChangeWatcher(List.copyOf(files), debounce, onChange, onError, threadName);
        w.thread.start();
        return w;
    }

    private void run() {
        long quietNanos = Math.max(0, debounce.toNanos());
        while (!closed) {
            try {
                if (!drain(watch.take())) {
                    continue;
                }
                // Debounce: wait until no event about a watched file came for the debounce period.
                // Events about other files in the same directories (a busy log file) do not extend
                // the wait, or a steady stream of them would hold the reload back for ever.
                long deadline = System.nanoTime() + quietNanos;
                while (!closed) {
                    long wait = deadline - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    WatchKey more = watch.poll(wait, TimeUnit.NANOSECONDS);
                    if (more != null && drain(more)) {
                        deadline = System.nanoTime() + quietNanos;
                    }
                }
                if (!closed) {
                    onChange.run();
                }
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                try {
                    onError.accept("file watcher error (" + e.getClass().getSimpleName() + ")");
                } catch (RuntimeException ignored) {
                    // the error sink failed too; keep watching
                }
            }
        }
    }

    /** Whether the events concern a watched file (or may: an overflow or a symlinked directory swap). */
    private boolean drain(WatchKey key) {
        Set<String> watched = key.watchable() instanceof Path dir ? names.getOrDefault(dir, Set.of()) : Set.of();
        boolean relevant = false;
        for (var event : key.pollEvents()) {
            Object ctx = event.context();
            relevant |= event.kind() == StandardWatchEventKinds.OVERFLOW || ctx == null
                    || watched.contains(ctx.toString()) || ctx.toString().startsWith("..");
        }
        key.reset();
        return relevant;
    }

    @Override
    public void close() {
        closed = true;
        try {
            watch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (Thread.currentThread() == thread) {
            return; // closed from the callback: the loop ends when it returns
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
