package io.respgate.proxy.faults;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.proxy.cli.RespGateCli;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code respgate run} as a real process under load: broken policy files reloaded (file watch and
 * SIGHUP) drop no connection and leave the old policy in force; SIGTERM stops accepting, lets the
 * replies owed drain and exits 0, with no reply mixed up on the way.
 */
@Timeout(120)
class ProcessUnderLoadTest {
    private static final String POLICY = "users:\n  default:\n    acl: \"on nopass ~* &* +@all -debug\"\n";

    @TempDir
    Path dir;

    @Test
    void brokenReloadsDropNothingAndSigtermDrainsAndExitsZero() throws Exception {
        Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        try (RedisProcess redis = RedisProcess.start()) {
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Path policy = dir.resolve("policy.yaml");
            Files.writeString(policy, POLICY);
            Path config = dir.resolve("respgate.yaml");
            Files.writeString(config, "listen: {address: 127.0.0.1, port: " + port + "}\n"
                    + "upstream: {address: 127.0.0.1:" + redis.port() + "}\npolicy: {file: policy.yaml}\n");
            Process proxy = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    RespGateCli.class.getName(), "run", "--config", config.toString()))
                    .redirectErrorStream(true)
                    .start();
            StringBuffer log = new StringBuffer();
            CountDownLatch listening = new CountDownLatch(1);
            Thread reader = new Thread(() -> readLog(proxy, log, listening), "proxy-log");
            reader.setDaemon(true);
            reader.start();
            try {
                assertTrue(listening.await(30, TimeUnit.SECONDS), "the proxy never said it was listening:\n" + log);
                EchoLoad load = new EchoLoad(port, 4, 16).start();
                try {
                    Thread.sleep(500);
                    String[] broken = {"users: [\n", "users:\n  default:\n    acl: \"on nopass +@nonsense\"\n",
                            "users:\n  default:\n    acl: \"on nopass ~* +@all\"\n    bogus_key: 1\n"};
                    for (int round = 0; round < 2; round++) {
                        for (String text : broken) {
                            Files.writeString(policy, text);
                            signal(proxy, "HUP");
                            Thread.sleep(300);
                        }
                    }
                    try (RawConnection probe = new RawConnection(port)) {
                        assertTrue(probe.call("DEBUG", "SLEEP", "0").startsWith("-NOPERM"),
                                "the last good policy is still in force");
                        assertEquals("$2\r\nhi\r\n", probe.call("ECHO", "hi"));
                    }
                    long closesBefore = load.closes.get();
                    assertEquals(0, closesBefore, "no connection was dropped by the broken reloads: " + load.summary());
                    assertEquals(0, load.errors.get(), "no command failed during the broken reloads: " + load.summary());
                    assertTrue(log.toString().contains("policy reload failed"), "each broken file is reported:\n" + log);

                    signal(proxy, "TERM");
                    assertTrue(proxy.waitFor(30, TimeUnit.SECONDS), "the proxy exited after SIGTERM");
                    assertEquals(0, proxy.exitValue(), "exit status after SIGTERM:\n" + log);
                } finally {
                    load.close();
                }
                System.out.println("ProcessUnderLoadTest: 6 broken reloads, then SIGTERM; " + load.summary());
                assertEquals(0, load.mismatches.get(), "no reply reached the wrong command: " + load.summary());
                assertEquals(0, load.hangs.get(), "no client was left waiting: " + load.summary());
                assertTrue(load.ok.get() > 0, load.summary());
                assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(),
                        "nothing listens after the exit");
            } finally {
                proxy.destroyForcibly();
            }
        }
    }

    private static void signal(Process proxy, String signal) throws IOException, InterruptedException {
        new ProcessBuilder("sh", "-c", "kill -" + signal + " " + proxy.pid()).start().waitFor(); // the shell's kill
    }

    private static void readLog(Process proxy, StringBuffer log, CountDownLatch listening) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                log.append(line).append('\n');
                if (line.contains("RespGate listening")) {
                    listening.countDown();
                }
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }
}
