package io.respgate.codec.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private {@code redis-server} child on a free loopback port, for tests that must compare with the
 * real server instead of a model of it. Persistence is off and its working directory is a temporary
 * directory removed on {@link #close()}.
 *
 * <pre>{@code
 * Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server not on PATH");
 * try (RedisProcess redis = RedisProcess.start()) { ... redis.port() ... }
 * }</pre>
 */
public final class RedisProcess implements AutoCloseable {
    public static final String HOST = "127.0.0.1";
    private static final long START_TIMEOUT_MILLIS = 10_000;

    private final Process process;
    private final int port;
    private final Path dir;

    private RedisProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** Whether {@code redis-server} is an executable on the PATH. */
    public static boolean isAvailable() {
        return executable() != null;
    }

    /**
     * Starts {@code redis-server} and waits until it answers {@code PING} (with anything, so a server
     * started with {@code --requirepass} counts as ready).
     *
     * @param extraArgs further {@code redis-server} arguments, e.g. {@code "--requirepass", "secret"}
     */
    public static RedisProcess start(String... extraArgs) throws IOException {
        return start(0, extraArgs);
    }

    /**
     * Starts {@code redis-server} on {@code port}, for tests that bring a server back where an
     * earlier one stood; 0 picks a free port.
     */
    public static RedisProcess startOnPort(int port, String... extraArgs) throws IOException {
        return start(port, extraArgs);
    }

    private static RedisProcess start(int fixedPort, String... extraArgs) throws IOException {
        Path exe = executable();
        if (exe == null) {
            throw new IOException("redis-server is not on PATH");
        }
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = fixedPort != 0 ? fixedPort : freePort();
            Path dir = Files.createTempDirectory("respgate-redis");
            List<String> command = new ArrayList<>(List.of(exe.toString(),
                    "--port", Integer.toString(port), "--bind", HOST, "--save", "", "--appendonly", "no",
                    "--daemonize", "no", "--dir", dir.toString(), "--logfile", ""));
            command.addAll(List.of(extraArgs));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            RedisProcess redis = new RedisProcess(process, port, dir);
            try {
                redis.awaitReady();
                return redis;
            } catch (IOException e) {
                last = new IOException(e.getMessage() + "; log: " + redis.log(), e);
                redis.close();
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(HOST, port);
    }

    /** A plain socket to the server, with a read timeout. */
    public Socket connect(int readTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        socket.connect(address(), 2000);
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** What the server printed so far, for failure messages. */
    public String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // A leftover temporary directory is harmless.
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        IOException last = null;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue());
            }
            try (Socket socket = connect(1000)) {
                OutputStream out = socket.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                int first = in.read();
                if (first == '+' || first == '-') {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for redis-server", e);
            }
        }
        throw new IOException("redis-server did not answer PING on port " + port, last);
    }

    /** A port free on loopback now (another process may take it before it is bound). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private static Path executable() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String entry : path.split(File.pathSeparator)) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, "redis-server");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
