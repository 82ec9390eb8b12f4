package io.respgate.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileChangeWatcherTest {
    private static final Duration DEBOUNCE = Duration.ofMillis(100);
    /** Long enough for an event that would come to have come (inotify delivers in milliseconds). */
    private static final long QUIET_MS = 350;
    private static final long WAIT_S = 10;

    @TempDir
    Path tmp;

    private final BlockingQueue<Long> changes = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> errors = new LinkedBlockingQueue<>();

    private FileChangeWatcher watch(List<Path> files) throws IOException {
        return FileChangeWatcher.start(files, DEBOUNCE, () -> changes.add(System.nanoTime()), errors::add,
                "test-watcher");
    }

    private void assertOneChange(String what) throws InterruptedException {
        assertNotNull(changes.poll(WAIT_S, TimeUnit.SECONDS), "no call after " + what);
        assertNull(changes.poll(QUIET_MS, TimeUnit.MILLISECONDS), "more than one call after " + what);
    }

    private void assertNoChange(String what) throws InterruptedException {
        assertNull(changes.poll(QUIET_MS, TimeUnit.MILLISECONDS), "a call after " + what);
    }

    @Test
    void anEditIsSeenOnce() throws Exception {
        Path cert = Files.writeString(tmp.resolve("server.crt"), "v1");
        try (FileChangeWatcher w = watch(List.of(cert))) {
            Files.writeString(cert, "v2");
            assertOneChange("an edit");
            Files.writeString(cert, "v3");
            assertOneChange("a second edit");
        }
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void certificateAndKeyWrittenTogetherCauseOneCall() throws Exception {
        Path cert = Files.writeString(tmp.resolve("server.crt"), "c1");
        Path key = Files.writeString(tmp.resolve("server.key"), "k1");
        try (FileChangeWatcher w = watch(List.of(cert, key))) {
            long start = System.nanoTime();
            Files.writeString(cert, "c2");
            Thread.sleep(30);
            Files.writeString(key, "k2");
            Thread.sleep(30);
            Files.writeString(cert, "c3");
            Long at = changes.poll(WAIT_S, TimeUnit.SECONDS);
            assertNotNull(at, "no call after the rotation");
            assertTrue(at - start >= TimeUnit.MILLISECONDS.toNanos(60 + DEBOUNCE.toMillis() - 10),
                    "called before the files were quiet for the debounce period");
            assertNoChange("the rotation was reported");
        }
    }

    @Test
    void otherFilesInTheDirectoryAreIgnored() throws Exception {
        Path cert = Files.writeString(tmp.resolve("server.crt"), "v1");
        try (FileChangeWatcher w = watch(List.of(cert))) {
            Files.writeString(tmp.resolve("server.crt.bak"), "x");
            Files.writeString(tmp.resolve("other.pem"), "x");
            Files.createDirectory(tmp.resolve("sub"));
            Files.writeString(tmp.resolve("sub/server.crt"), "x");
            assertNoChange("changes to other files");
            Files.writeString(cert, "v2");
            assertOneChange("an edit after other files changed");
        }
    }

    @Test
    void aBusyNeighbourDoesNotHoldTheCallBack() throws Exception {
        Path cert = Files.writeString(tmp.resolve("server.crt"), "v1");
        Path log = tmp.resolve("audit.log");
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            try {
                while (writing.get()) {
                    Files.writeString(log, "line\n", java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                    Thread.sleep(DEBOUNCE.toMillis() / 5);
                }
            } catch (IOException | InterruptedException ignored) {
                // test over
            }
        });
        try (FileChangeWatcher w = watch(List.of(cert))) {
            writer.start();
            Thread.sleep(50);
            Files.writeString(cert, "v2");
            // A file appended to every 20 ms must not keep the watcher waiting for quiet for ever.
            assertNotNull(changes.poll(3, TimeUnit.SECONDS), "a busy log file in the directory held the call back");
        } finally {
            writing.set(false);
            writer.join(2000);
        }
    }

    @Test
    void renameOverTheFileIsSeen() throws Exception {
        Path key = Files.writeString(tmp.resolve("server.key"), "v1");
        try (FileChangeWatcher w = watch(List.of(key))) {
            Path next = Files.writeString(tmp.resolve(".server.key.tmp"), "v2");
            Files.move(next, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertOneChange("a rename over the file");
            Files.delete(key);
            assertOneChange("a delete");
            Files.writeString(key, "v3");
            assertOneChange("the file coming back");
        }
    }

    @Test
    void kubernetesSecretSymlinkSwapIsSeen() throws Exception {
        // What the kubelet does: tls.crt -> ..data/tls.crt, ..data -> ..2026_01_01; an update writes a new
        // timestamped directory and renames a new ..data link over the old one.
        Path mount = Files.createDirectory(tmp.resolve("secret"));
        Path v1 = Files.createDirectory(mount.resolve("..2026_01_01"));
        Files.writeString(v1.resolve("tls.crt"), "v1");
        Files.createSymbolicLink(mount.resolve("..data"), v1.getFileName());
        Path cert = Files.createSymbolicLink(mount.resolve("tls.crt"), Path.of("..data/tls.crt"));
        assertEquals("v1", Files.readString(cert));
        try (FileChangeWatcher w = watch(List.of(cert))) {
            Path v2 = Files.createDirectory(mount.resolve("..2026_01_02"));
            Files.writeString(v2.resolve("tls.crt"), "v2");
            Path tmpLink = Files.createSymbolicLink(mount.resolve("..data_tmp"), v2.getFileName());
            Files.move(tmpLink, mount.resolve("..data"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            assertEquals("v2", Files.readString(cert));
            assertOneChange("a ..data symlink swap");
        }
    }

    @Test
    void filesInSeveralDirectories() throws Exception {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Path b = Files.createDirectory(tmp.resolve("b"));
        Path cert = Files.writeString(a.resolve("server.crt"), "v1");
        Path ca = Files.writeString(b.resolve("ca.pem"), "v1");
        try (FileChangeWatcher w = watch(List.of(cert, ca))) {
            Files.writeString(ca, "v2");
            assertOneChange("an edit in the second directory");
            Files.writeString(cert, "v2");
            assertOneChange("an edit in the first directory");
            // A file named like a watched one, but in the other directory, is not watched.
            Files.writeString(a.resolve("ca.pem"), "x");
            Files.writeString(b.resolve("server.crt"), "x");
            assertNoChange("same-named files in the other directories");
        }
    }

    @Test
    void relativePathsAreWatchedWhereTheyPoint() throws Exception {
        Path cert = Files.writeString(tmp.resolve("server.crt"), "v1");
        Path relative = Path.of("").toAbsolutePath().relativize(cert);
        assertFalse(relative.isAbsolute());
        try (FileChangeWatcher w = watch(List.of(relative))) {
            Files.writeString(cert, "v2");
            assertOneChange("an edit of a file given by a relative path");
        }
    }

    @Test
    void aCallbackThatThrowsDoesNotStopTheWatcher() throws Exception {
        Path cert = Files.writeString(tmp.resolve("server.crt"), "v1");
        AtomicInteger calls = new AtomicInteger();
        try (FileChangeWatcher w = FileChangeWatcher.start(List.of(cert), DEBOUNCE, () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("secret-material-in-message");
            }
            changes.add(System.nanoTime());
        }, errors::add, "test-watcher")) {
            Files.writeString(cert, "v2");
            String error = errors.poll(WAIT_S, TimeUnit.SECONDS);
            assertNotNull(error, "the failure was not reported");
            assertTrue(error.contains("IllegalStateException"), error);
            assertFalse(error.contains("secret-material-in-message"), "the message is not passed on: " + error);
            Files.writeString(cert, "v3");
            assertOneChange("an edit after a failed callback");
            assertEquals(2, calls.get());
        }
    }

    @Test
    void anErrorSinkThatThrowsDoesNotStopTheWatcherEither() throws Exception {
        Path cert = Files.writeString(tmp.resolve("server.crt"), "v1");
        AtomicInteger calls = new AtomicInteger();
        try (FileChangeWatcher w = FileChangeWatcher.start(List.of(cert), DEBOUNCE, () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException();
            }
            changes.add(System.nanoTime());
        }, e -> {
            throw new IllegalArgumentException();
        }, "test-watcher")) {
            Files.writeString(cert, "v2");
            Thread.sleep(QUIET_MS);
            Files.writeString(cert, "v3");
            assertNotNull(changes.poll(WAIT_S, TimeUnit.SECONDS), "the watcher died with its error sink");
        }
    }

    @Test
    void noCallsAfterClose() throws Exception {
        Path cert = Files.writeString(tmp.resolve("server.crt"), "v1");
        FileChangeWatcher w = FileChangeWatcher.start(List.of(cert), DEBOUNCE, () -> changes.add(System.nanoTime()),
                errors::add, "test-watcher-closed");
        w.close();
        w.close(); // twice is fine
        Files.writeString(cert, "v2");
        assertNoChange("close");
        long threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("test-watcher-closed") && t.isAlive()).count();
        assertEquals(0, threads, "the watcher thread is still running");
    }

    @Test
    void closeDuringTheDebounceWaitCancelsTheCall() throws Exception {
        Path cert = Files.writeString(tmp.resolve("server.crt"), "v1");
        FileChangeWatcher w = FileChangeWatcher.start(List.of(cert), Duration.ofMillis(500),
                () -> changes.add(System.nanoTime()), errors::add, "test-watcher");
        Files.writeString(cert, "v2");
        Thread.sleep(100);
        w.close();
        assertNull(changes.poll(800, TimeUnit.MILLISECONDS), "called after close");
    }

    @Test
    void closeFromTheCallbackReturnsPromptly() throws Exception {
        Path cert = Files.writeString(tmp.resolve("server.crt"), "v1");
        FileChangeWatcher[] self = new FileChangeWatcher[1];
        CountDownLatch ready = new CountDownLatch(1);
        BlockingQueue<Long> closeTook = new LinkedBlockingQueue<>();
        self[0] = FileChangeWatcher.start(List.of(cert), DEBOUNCE, () -> {
            try {
                ready.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long start = System.nanoTime();
            self[0].close();
            closeTook.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }, errors::add, "test-watcher");
        ready.countDown();
        Files.writeString(cert, "v2");
        Long took = closeTook.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(took, "the callback did not run");
        assertTrue(took < 1000, "close() from the callback waited " + took + " ms for its own thread");
    }

    @Test
    void aMissingDirectoryIsAnErrorAtStart() {
        Path missing = tmp.resolve("nope/server.crt");
        assertThrows(IOException.class, () -> FileChangeWatcher.start(List.of(missing), DEBOUNCE, () -> { },
                errors::add, "test-watcher-missing"));
        long threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("test-watcher-missing") && t.isAlive()).count();
        assertEquals(0, threads);
    }

    @Test
    void aFileThatDoesNotExistYetIsSeenWhenCreated() throws Exception {
        Path cert = tmp.resolve("later.crt");
        try (FileChangeWatcher w = watch(List.of(cert))) {
            Files.writeString(cert, "v1");
            assertOneChange("the file was created");
        }
    }
}
