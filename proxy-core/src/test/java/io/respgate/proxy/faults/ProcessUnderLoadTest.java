package io.respgate.proxy.faults;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.RespGateProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
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
            RespGateProcess proxy = RespGateProcess.start(config);
            try {
                assertTrue(proxy.awaitListening(30), "the proxy never said it was listening:\n" + proxy.log());
                EchoLoad load = new EchoLoad(port, 4, 16).start();
                try {
                    Thread.sleep(500);
                    String[] broken = {"users: [\n", "users:\n  default:\n    acl: \"on nopass +@nonsense\"\n",
                            "users:\n  default:\n    acl: \"on nopass ~* +@all\"\n    bogus_key: 1\n"};
                    for (int round = 0; round < 2; round++) {
                        for (String text : broken) {
                            Files.writeString(policy, text);
                            proxy.signal("HUP");
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
                    assertTrue(proxy.log().contains("policy reload failed"), "each broken file is reported:\n" + proxy.log());

                    proxy.signal("TERM");
                    assertTrue(proxy.process().waitFor(30, TimeUnit.SECONDS), "the proxy exited after SIGTERM");
                    assertEquals(0, proxy.process().exitValue(), "exit status after SIGTERM:\n" + proxy.log());
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
                proxy.close();
            }
        }
    }
}
