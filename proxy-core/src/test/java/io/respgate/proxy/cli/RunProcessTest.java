package io.respgate.proxy.cli;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.proxy.testing.RawConnection;
import io.respgate.proxy.testing.RespGateProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code respgate run} as a real process: it serves, reloads its policy (file watch or SIGHUP,
 * whichever comes first), and on SIGTERM finishes the replies it owes and exits 0.
 */
@Timeout(90)
class RunProcessTest {
    @TempDir
    Path dir;

    @Test
    void runServesReloadsItsPolicyAndExitsZeroOnSigterm() throws Exception {
        Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        try (RedisProcess redis = RedisProcess.start()) {
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Path policy = dir.resolve("policy.yaml");
            Files.writeString(policy, "users:\n  default:\n    acl: \"on nopass ~* &* +@all\"\n");
            Path config = dir.resolve("respgate.yaml");
            Files.writeString(config, "listen: {address: 127.0.0.1, port: " + port + "}\n"
                    + "upstream: {address: 127.0.0.1:" + redis.port() + "}\npolicy: {file: policy.yaml}\n");
            RespGateProcess proxy = RespGateProcess.start(config);
            try {
                assertTrue(proxy.awaitListening(30), "the proxy never said it was listening:\n" + proxy.log());
                try (RawConnection client = new RawConnection(port)) {
                    assertEquals("+OK\r\n", client.call("SET", "k", "v"));
                    assertEquals("$1\r\nv\r\n", client.call("GET", "k"));

                    // Deny GET for everyone, then SIGHUP: the open connection is judged by the new rules.
                    Files.writeString(policy, "users:\n  default:\n    acl: \"on nopass ~* &* +@all -get\"\n");
                    proxy.signal("HUP");
                    String reply = "";
                    for (int i = 0; i < 50 && !reply.startsWith("-NOPERM"); i++) {
                        reply = client.call("GET", "k");
                        if (!reply.startsWith("-NOPERM")) {
                            Thread.sleep(100);
                        }
                    }
                    assertEquals("-NOPERM this user has no permissions to run the 'get' command\r\n", reply);

                    client.command("BLPOP", "q", "1");
                    Thread.sleep(200);
                    proxy.signal("TERM");
                    assertEquals("*-1\r\n", client.readReply(), "the blocked command still got its reply");
                }
                assertTrue(proxy.process().waitFor(30, TimeUnit.SECONDS), "the proxy exited after SIGTERM");
                assertEquals(0, proxy.process().exitValue());
            } finally {
                proxy.close();
            }
        }
    }
}
