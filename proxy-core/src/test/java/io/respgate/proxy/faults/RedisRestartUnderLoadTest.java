package io.respgate.proxy.faults;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis killed (SIGKILL) and restarted on its port while clients pipeline through the proxy: every
 * command in flight gets its own reply, an error in its place, or its connection closed; no reply
 * reaches the wrong command, nothing hangs, and clients are served again once Redis is back.
 */
@Timeout(120)
class RedisRestartUnderLoadTest {
    private static final int KILLS = 3;

    @Test
    void killedRedisNeverMixesUpRepliesAndServiceComesBack() throws Exception {
        List<RedisProcess> restarted = new ArrayList<>();
        try (ProxiedRedis pair = ProxiedRedis.start()) {
            int port = pair.redisPort();
            EchoLoad load = new EchoLoad(pair.proxyPort(), 6, 16).start();
            long okBeforeLastRestart;
            try {
                assertTrue(awaitMoreOk(load, 0), "the load runs before the first fault: " + load.summary());
                for (int k = 0; k < KILLS; k++) {
                    killHard(port);
                    Thread.sleep(300);
                    restarted.add(RedisProcess.startOnPort(port));
                    Thread.sleep(700);
                }
                okBeforeLastRestart = load.ok.get();
                // Within the connect backoff (at most 5 s) clients are served again.
                awaitMoreOk(load, okBeforeLastRestart);
            } finally {
                load.close();
            }
            System.out.println("RedisRestartUnderLoadTest: " + KILLS + " kills; " + load.summary());
            assertEquals(0, load.mismatches.get(), "no reply reached the wrong command: " + load.summary());
            assertEquals(0, load.hangs.get(), "no client was left waiting: " + load.summary());
            assertTrue(load.errors.get() + load.closes.get() > 0, "the faults were seen: " + load.summary());
            assertTrue(load.ok.get() > okBeforeLastRestart, "clients are served after the last restart: " + load.summary());
            try (RawConnection fresh = new RawConnection(pair.proxyPort())) {
                assertEquals("+PONG\r\n", fresh.call("PING"));
            }
        } finally {
            restarted.forEach(RedisProcess::close);
        }
    }

    /** Waits (up to 15 s, for a loaded machine) until more than {@code than} replies were right. */
    private static boolean awaitMoreOk(EchoLoad load, long than) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (load.ok.get() <= than && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(300);
        return load.ok.get() > than;
    }

    /** SIGKILL, so Redis gets no chance to close its connections in an orderly way. */
    static void killHard(int port) throws Exception {
        long pid = pid(port);
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        handle.destroyForcibly();
        handle.onExit().get();
    }

    static long pid(int port) throws Exception {
        try (RawConnection direct = new RawConnection(port)) {
            Matcher m = Pattern.compile("process_id:(\\d+)").matcher(direct.call("INFO", "server"));
            assertTrue(m.find(), "INFO server names the process id");
            return Long.parseLong(m.group(1));
        }
    }
}
