package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.respgate.proxy.fidelity.Fidelity.mb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Malformed requests get Redis's own error, after the replies to everything before them, and then
 * the connection closes; the same bytes sent to Redis directly are the reference.
 */
@ExtendWith(ProxyExtension.class)
@Timeout(30)
class ProtocolErrorTest {

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("non-numeric multibulk count", "*abc\r\n",
                        "-ERR Protocol error: invalid multibulk length\r\n"),
                Arguments.of("non-numeric bulk length", "*1\r\n$x\r\n",
                        "-ERR Protocol error: invalid bulk length\r\n"),
                Arguments.of("negative bulk length", "*1\r\n$-1\r\n",
                        "-ERR Protocol error: invalid bulk length\r\n"),
                Arguments.of("missing '$'", "*1\r\nfoo\r\n",
                        "-ERR Protocol error: expected '$', got 'f'\r\n"),
                Arguments.of("integer instead of bulk", "*2\r\n$3\r\nGET\r\n:1\r\n",
                        "-ERR Protocol error: expected '$', got ':'\r\n"),
                Arguments.of("unbalanced quotes inline", "SET \"a b\r\n",
                        "-ERR Protocol error: unbalanced quotes in request\r\n"),
                Arguments.of("quote not followed by space", "SET k \"a\"b\r\n",
                        "-ERR Protocol error: unbalanced quotes in request\r\n"),
                Arguments.of("multibulk count over INT_MAX", "*3000000000\r\n",
                        "-ERR Protocol error: invalid multibulk length\r\n"),
                Arguments.of("bulk over 512MB", "*1\r\n$600000000\r\n",
                        "-ERR Protocol error: invalid bulk length\r\n"),
                Arguments.of("inline over 64KB", "a".repeat(70_000),
                        "-ERR Protocol error: too big inline request\r\n"),
                Arguments.of("multibulk count line over 64KB", "*" + "1".repeat(70_000),
                        "-ERR Protocol error: too big mbulk count string\r\n"),
                Arguments.of("bulk length line over 64KB", "*1\r\n$" + "1".repeat(70_000),
                        "-ERR Protocol error: too big bulk count string\r\n"));
    }

    /** Sends the bytes and reads every reply until the peer closes (failing if it never does). */
    private static List<String> repliesUntilClosed(int port, String bytes) throws IOException {
        List<String> replies = new ArrayList<>();
        try (RawConnection c = new RawConnection(port, 5000)) {
            c.send(bytes);
            while (true) {
                try {
                    replies.add(c.readReply());
                } catch (SocketTimeoutException e) {
                    fail("port " + port + ": connection still open after " + replies);
                } catch (IOException closed) {
                    return replies;
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void validCommandFirstThenErrorThenClose(String what, String bad, String error, ProxiedRedis redis)
            throws Exception {
        // A line over 64 KiB is only deterministic in Redis when no line end follows it at all.
        boolean openEnded = bad.length() > 65_536;
        String bytes = mb("SET", "before", "1") + bad + (openEnded ? "" : mb("SET", "after", "1"));
        try (RawConnection bystander = new RawConnection(redis.proxyPort())) {
            assertEquals("+PONG\r\n", bystander.call("PING"));
            List<String> direct = repliesUntilClosed(redis.redisPort(), bytes);
            assertEquals(List.of("+OK\r\n", error), direct, "Redis itself, for: " + what);
            try (RawConnection d = new RawConnection(redis.redisPort())) {
                assertEquals("+OK\r\n", d.call("FLUSHALL"));
            }
            assertEquals(direct, repliesUntilClosed(redis.proxyPort(), bytes), what);
            try (RawConnection d = new RawConnection(redis.redisPort())) {
                assertEquals("$1\r\n1\r\n", d.call("GET", "before"));
                assertEquals("$-1\r\n", d.call("GET", "after"), "nothing after the bad bytes ran");
            }
            assertEquals("+OK\r\n", bystander.call("SET", "bystander", "fine"), "other connections unaffected");
            assertEquals("$4\r\nfine\r\n", bystander.call("GET", "bystander"));
        }
        try (RawConnection fresh = new RawConnection(redis.proxyPort())) {
            assertEquals("+PONG\r\n", fresh.call("PING"));
        }
    }

    static Stream<Arguments> toleratedByRedis() {
        return Stream.of(
                Arguments.of("empty and negative multibulk counts", "*0\r\n*-5\r\n" + mb("PING")),
                Arguments.of("empty inline lines", "\r\n\r\n\n" + mb("PING")),
                Arguments.of("inline with LF only", "PING\nECHO hi\n"),
                Arguments.of("inline with extra spaces and quotes", "  ECHO   \"a\\x41\\n\"  \r\nECHO 'it\\'s'\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("toleratedByRedis")
    void inputRedisToleratesIsToleratedTheSameWay(String what, String bytes, ProxiedRedis redis) throws Exception {
        List<String> direct;
        try (RawConnection c = new RawConnection(redis.redisPort(), 5000)) {
            c.send(bytes + mb("ECHO", "end"));
            direct = readUntilEnd(c);
        }
        try (RawConnection c = new RawConnection(redis.proxyPort(), 5000)) {
            c.send(bytes + mb("ECHO", "end"));
            assertEquals(direct, readUntilEnd(c), what);
        }
    }

    private static List<String> readUntilEnd(RawConnection c) throws IOException {
        List<String> replies = new ArrayList<>();
        String reply;
        do {
            reply = c.readReply();
            replies.add(reply);
        } while (!reply.equals("$3\r\nend\r\n"));
        return replies;
    }

    @Test
    void errorAfterADeepPipelineComesLast(ProxiedRedis redis) throws Exception {
        String bytes = mb("INCR", "n").repeat(2000) + "*1\r\n$x\r\n";
        List<String> viaProxy = repliesUntilClosed(redis.proxyPort(), bytes);
        assertEquals(2001, viaProxy.size());
        for (int i = 0; i < 2000; i++) {
            assertEquals(":" + (i + 1) + "\r\n", viaProxy.get(i));
        }
        assertEquals("-ERR Protocol error: invalid bulk length\r\n", viaProxy.get(2000));
    }

    /**
     * Differences the request decoder documents as deliberate (RequestDecoder's class comment):
     * Redis ignores the two bytes after a bulk payload, the proxy requires CRLF; Redis 7 accepts up
     * to INT_MAX arguments, the proxy stops at 1M. Both are rejections of input Redis accepts.
     */
    @Test
    void deliberateRejectionsOfInputRedisAccepts(ProxiedRedis redis) throws Exception {
        String noCrlf = "*1\r\n$4\r\nPINGxx" + mb("PING");
        assertEquals(List.of("+PONG\r\n", "+PONG\r\n"), Fidelity.replies(redis.redisPort(), noCrlf, 2));
        assertEquals(List.of("-ERR Protocol error: expected CRLF after bulk string\r\n"),
                repliesUntilClosed(redis.proxyPort(), noCrlf));

        String manyArgs = "*1048577\r\n";
        try (RawConnection d = new RawConnection(redis.redisPort(), 500)) {
            d.send(manyArgs);
            assertThrows(SocketTimeoutException.class, d::readReply, "Redis waits for the 1048577 arguments");
        }
        assertEquals(List.of("-ERR Protocol error: invalid multibulk length\r\n"),
                repliesUntilClosed(redis.proxyPort(), manyArgs));
    }
}
