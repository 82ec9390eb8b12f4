package io.respgate.proxy.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private {@code redis-server} child process for {@code respgate demo}: loopback only, a free
 * port, nothing persisted, its own temporary directory (deleted on {@link #close()}).
 */
public final class RedisChild implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisChild.class);

    static final String NOT_FOUND = "redis-server not found on PATH; install it (Debian: apt-get install redis-server)"
            + " or pass --redis-server";
    private static final int START_ATTEMPTS = 3;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Process process;
    private final int port;
    private final Path dir;
    private final Path logFile;
    private boolean closed;

    private RedisChild(Process process, int port, Path dir, Path logFile) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.logFile = logFile;
    }

    /** Thrown when the child cannot be found or started; the message is meant for the user. */
    public static final class RedisStartException extends Exception {
        private static final long serialVersionUID = 1L;

        RedisStartException(String message) {
            super(message);
        }
    }

    /**
     * The redis-server to run: {@code explicit} if given (must be an executable file), else the
     * first executable {@code redis-server} on {@code pathEnv}.
     */
    public static Path locate(Optional<Path> explicit, String pathEnv) throws RedisStartException {
        if (explicit.isPresent()) {
            Path p = explicit.get();
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                throw new RedisStartException("--redis-server " + p + ": not an executable file");
            }
            return p;
        }
        if (pathEnv != null) {
            for (String entry : pathEnv.split(java.io.File.pathSeparator)) {
                if (entry.isEmpty()) {
                    continue;
                }
                try {
                    Path candidate = Path.of(entry, "redis-server");
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return candidate;
                    }
                } catch (RuntimeException ignored) {
                    // a malformed PATH entry: skip it
                }
            }
        }
        throw new RedisStartException(NOT_FOUND);
    }

    /**
     * Starts {@code redisServer} on a free loopback port and waits until it answers PING. On failure
     * nothing is left running and the temporary directory is removed.
     */
    public static RedisChild start(Path redisServer, Duration readyTimeout)
            throws RedisStartException, InterruptedException {
        Path dir;
        try {
            dir = Files.createTempDirectory("respgate-demo-");
        } catch (IOException e) {
            throw new RedisStartException("cannot create a temporary directory for redis-server: " + e.getMessage());
        }
        String lastProblem = "";
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port;
            try {
                port = freeLoopbackPort();
            } catch (IOException e) {
                deleteTree(dir);
                throw new RedisStartException("cannot find a free loopback port: " + e.getMessage());
            }
            Path logFile = dir.resolve("redis-" + attempt + ".log");
            List<String> command = List.of(redisServer.toString(),
                    "--port", Integer.toString(port),
                    "--bind", "127.0.0.1",
                    "--save", "",
                    "--appendonly", "no",
                    "--protected-mode", "yes",
                    "--daemonize", "no",
                    "--dir", dir.toString());
            Process process;
            try {
                process = new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(logFile.toFile())
                        .start();
                process.getOutputStream().close();
            } catch (IOException e) {
                deleteTree(dir);
                throw new RedisStartException("cannot start " + redisServer + ": " + e.getMessage());
            }
            RedisChild child = new RedisChild(process, port, dir, logFile);
            try {
                if (child.awaitReady(readyTimeout)) {
                    log.debug("redis-server pid {} ready on 127.0.0.1:{}", process.pid(), port);
                    return child;
                }
            } catch (InterruptedException e) {
                child.close();
                throw e;
            }
            lastProblem = process.isAlive()
                    ? "redis-server did not answer PING within " + readyTimeout.toMillis() + " ms"
                    : "redis-server exited with status " + process.exitValue();
            lastProblem += tail(logFile);
            child.stopProcess();
            // Most likely someone else took the port between our probe and redis's bind: try another.
        }
        deleteTree(dir);
        throw new RedisStartException(lastProblem);
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** The child's working and data directory (nothing is persisted there). */
    public Path directory() {
        return dir;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the child (TERM, then KILL after 5 s) and deletes its directory. Idempotent, thread-safe. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopProcess();
        deleteTree(dir);
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("redis-server pid {} did not stop within {} s; killing it", process.pid(),
                        STOP_TIMEOUT.toSeconds());
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            if (ping(port)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** True if something on 127.0.0.1:port answers PING with +PONG. */
    static boolean ping(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 250);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] expected = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);
            for (byte b : expected) {
                if (in.read() != b) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            List<String> last = new ArrayList<>(lines.subList(Math.max(0, lines.size() - 10), lines.size()));
            return last.isEmpty() ? "" : "; its last output:\n  " + String.join("\n  ", last);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.warn("could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
