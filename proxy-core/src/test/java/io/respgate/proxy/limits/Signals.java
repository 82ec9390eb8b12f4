package io.respgate.proxy.limits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** SIGSTOP and SIGCONT for a test's own redis-server child, found by its port. */
final class Signals {
    private Signals() {
    }

    /** The pid of this JVM's redis-server child listening on {@code port}. */
    static long redisPid(int port) {
        // redis-server rewrites its command line to "redis-server 127.0.0.1:<port>".
        return ProcessHandle.current().descendants()
                .filter(p -> {
                    String c = commandLine(p.pid());
                    return c.contains("redis-server") && (c.contains(":" + port + " ") || c.contains(" " + port + " "));
                })
                .findFirst().orElseThrow(() -> new AssertionError("no redis-server child on port " + port)).pid();
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.ISO_8859_1).replace('\0', ' ') + " ";
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops the process; closing the result continues it (call it in a finally block or try-with-resources). */
    static AutoCloseable stop(long pid) throws IOException, InterruptedException {
        signal("STOP", pid);
        return () -> signal("CONT", pid);
    }

    static void signal(String name, long pid) throws IOException, InterruptedException {
        // The shell's built-in kill: there may be no kill binary on a minimal CI image.
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + pid).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + pid + " failed");
        }
    }
}
