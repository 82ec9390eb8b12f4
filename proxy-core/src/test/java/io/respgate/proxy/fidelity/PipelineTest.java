package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.respgate.proxy.fidelity.Fidelity.jedis;
import static io.respgate.proxy.fidelity.Fidelity.mb;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Very deep pipelines: every reply comes back, in request order. */
@ExtendWith(ProxyExtension.class)
@Timeout(90)
class PipelineTest {
    private static final int COMMANDS = 100_000;

    @Test
    void hundredThousandCommandsInOneWriteOnARawSocket(ProxiedRedis redis) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream(COMMANDS * 40);
        for (int i = 0; i < COMMANDS; i++) {
            String command = i % 2 == 0 ? mb("INCR", "pipe:counter") : mb("SET", "pipe:k:" + i, "v" + i);
            all.writeBytes(command.getBytes(StandardCharsets.US_ASCII));
        }
        byte[] bytes = all.toByteArray();
        try (RawConnection client = new RawConnection(redis.proxyPort(), 30_000)) {
            // One write call; on its own thread because the proxy may push back until replies are read.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    client.send(bytes);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long counter = 0;
            for (int i = 0; i < COMMANDS; i++) {
                String reply = client.readReply();
                String expected = i % 2 == 0 ? ":" + (++counter) + "\r\n" : "+OK\r\n";
                if (!expected.equals(reply)) {
                    assertEquals(expected, reply, "reply " + i + " out of order or wrong");
                }
            }
            writer.get(30, TimeUnit.SECONDS);
            assertEquals(":" + (COMMANDS / 2 + 1) + "\r\n", client.call("INCR", "pipe:counter"),
                    "the connection is still in step after the pipeline");
        }
        try (Jedis direct = jedis(redis.redisPort())) {
            assertEquals(Long.toString(COMMANDS / 2 + 1), direct.get("pipe:counter"));
            assertEquals(COMMANDS / 2 + 1, direct.dbSize());
            assertEquals("v99999", direct.get("pipe:k:99999"));
        }
    }

    @Test
    void hundredThousandCommandsWithAJedisPipeline(ProxiedRedis redis) {
        try (Jedis p = jedis(redis.proxyPort())) {
            Pipeline pipeline = p.pipelined();
            List<Response<?>> responses = new ArrayList<>(COMMANDS);
            for (int i = 0; i < COMMANDS; i++) {
                responses.add(i % 2 == 0 ? pipeline.incr("jp:counter") : pipeline.set("jp:k:" + i, "v" + i));
            }
            pipeline.sync();
            long counter = 0;
            for (int i = 0; i < COMMANDS; i++) {
                Object expected = i % 2 == 0 ? (Object) (++counter) : "OK";
                Object got = responses.get(i).get();
                if (!expected.equals(got)) {
                    assertEquals(expected, got, "reply " + i);
                }
            }
            Pipeline reads = p.pipelined();
            List<Response<String>> values = new ArrayList<>();
            for (int i = 1; i < COMMANDS; i += 2) {
                values.add(reads.get("jp:k:" + i));
            }
            reads.sync();
            for (int k = 0, i = 1; i < COMMANDS; i += 2, k++) {
                if (!("v" + i).equals(values.get(k).get())) {
                    assertEquals("v" + i, values.get(k).get());
                }
            }
        }
        try (Jedis direct = jedis(redis.redisPort())) {
            assertEquals(Long.toString(COMMANDS / 2), direct.get("jp:counter"));
        }
    }

    /**
     * What Jedis's Pipeline does with a big batch: write every command, and only then read the
     * replies. Redis buffers the replies (no output limit for normal clients by default), so this
     * works directly; through the proxy it must work too rather than stall both sides.
     */
    private static void writeEverythingThenRead(int port, int commands, String key, int valueLength) throws Exception {
        byte[] bytes = mb("GET", key).repeat(commands).getBytes(StandardCharsets.US_ASCII);
        String expected = "$" + valueLength + "\r\n";
        try (RawConnection c = new RawConnection(port, 20_000)) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    c.send(bytes);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try {
                writer.get(40, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("port " + port + ": could not write " + bytes.length
                        + " bytes of commands before reading (replies not read yet)", e);
            }
            for (int i = 0; i < commands; i++) {
                String reply = c.readReply();
                if (!reply.startsWith(expected)) {
                    assertEquals(expected, reply.substring(0, Math.min(reply.length(), 20)), "reply " + i);
                }
            }
        }
    }

    @Test
    void clientThatWritesTheWholeBatchBeforeReading(ProxiedRedis redis) throws Exception {
        String key = "k".repeat(300);
        int valueLength = 1024;
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("+OK\r\n", d.call("SET", key, "v".repeat(valueLength)));
        }
        int commands = 80_000; // about 25 MB of commands and 80 MB of replies
        writeEverythingThenRead(redis.redisPort(), commands, key, valueLength);
        writeEverythingThenRead(redis.proxyPort(), commands, key, valueLength);
    }
}
