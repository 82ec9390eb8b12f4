package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Small shared helpers for the fidelity tests; nothing here talks to anything but real sockets. */
final class Fidelity {
    static final String HOST = ProxiedRedis.HOST;

    private Fidelity() {
    }

    static Jedis jedis(int port) {
        return new Jedis(HOST, port, DefaultJedisClientConfig.builder()
                .timeoutMillis(15_000).autoNegotiateProtocol(false).build());
    }

    /** Sends the same raw bytes to a fresh connection and reads {@code replies} replies. */
    static List<String> replies(int port, String bytes, int replies) throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            c.send(bytes);
            return read(c, replies);
        }
    }

    static List<String> read(RawConnection c, int n) throws IOException {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(c.readReply());
        }
        return out;
    }

    static String mb(String... args) {
        return RawConnection.multibulk(args);
    }

    /** The value of one {@code INFO} field, read over a fresh direct connection. */
    static String infoField(int port, String section, String field) throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            String reply = c.call("INFO", section);
            for (String line : reply.split("\r\n")) {
                if (line.startsWith(field + ":")) {
                    return line.substring(field.length() + 1);
                }
            }
        }
        throw new AssertionError("INFO " + section + " has no field " + field);
    }

    static long infoLong(int port, String section, String field) throws IOException {
        return Long.parseLong(infoField(port, section, field).trim());
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Polls {@code check} until it holds or {@code millis} pass; fails with {@code message} then. */
    static void await(long millis, String message, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            if (check.ok()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail(message + " (after " + millis + " ms)");
            }
            Thread.sleep(20);
        }
    }

    static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }
}
