package io.respgate.codec;

import io.respgate.codec.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.respgate.codec.DecoderHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential test against a real {@code redis-server}: the raw input goes to Redis on one connection;
 * on another, Redis gets the frames our decoder made of it. If the decoder frames exactly like Redis,
 * the two reply streams are identical, with {@code -ERR <violation>} and a close standing for a
 * violation. Commands are chosen so that the replies show the parsed arguments ({@code ECHO},
 * {@code EVAL "return ARGV"}, unknown-command errors that quote their arguments).
 */
class RequestDecoderRedisParityTest {
    private static final byte[] QUIT = bytes("*1\r\n$4\r\nQUIT\r\n");
    private static final byte[] QUIT_REPLY = bytes("+OK\r\n");
    private static final int IDLE_MILLIS = 300;
    private static final String NOAUTH = "-NOAUTH Authentication required.\r\n";

    private static RedisProcess open;
    private static RedisProcess protectedRedis;

    @BeforeAll
    static void startRedis() throws IOException {
        Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        open = RedisProcess.start();
        protectedRedis = RedisProcess.start("--requirepass", "parity-secret");
    }

    @AfterAll
    static void stopRedis() {
        if (open != null) {
            open.close();
        }
        if (protectedRedis != null) {
            protectedRedis.close();
        }
    }

    static Stream<String> inputs() {
        return Stream.of(
                // inline quirks
                "PING\r\n", "PING\n", "  PING  \r\n", "\r\n", "\n", "   \n", "\r\r\n", "PING\r\r\n",
                "ECHO \"a\\x41\\n\\t\\\\\\\"b\"\r\n", "ECHO 'it\\'s'\r\n", "ECHO 'a\\nb'\r\n", "ECHO \"\"\r\n",
                "ECHO a\"b c\"\r\n", "ECHO \"\\x4\"\r\n", "ECHO \"\\xZZ\"\r\n", "ECHO \"\\q\"\r\n", "ECHO \"\\xfF\"\r\n",
                "ECHO\ta\r\n", "ECHO \u000ba\u000bb\r\n", "\u000b\u000cECHO a\r\n", "ECHO a\rb\r\n", "ECHO \"a\rb\"\r\n",
                "ECHO \u00ff\u00fe\r\n", "ECHO \"a\"\t\r\n", "EVAL \"return ARGV\" 0 a 'b c' \"d\\te\" '' \"\"\r\n",
                "FOO 'a b' \"c\\x41\"\r\n", "ECHO \"a\"b\r\n", "ECHO \"abc\r\n", "ECHO 'a\r\n", "ECHO 'a'b\r\n",
                "ECHO \"a\\\"\r\n", "ECHO 'a\\'\r\n", "ECHO \"a\" \"b\"c\r\n",
                "PING\r\nECHO \"x\r\nPING\r\n", "PING", "ECHO " + "a".repeat(65531) + "\n",
                "A".repeat(65536 + 16384 + 10),
                // multibulk shapes
                "*2\r\n$4\r\nECHO\r\n$5\r\na\r\n\0b\r\n", "*0\r\n", "*0\r\nPING\r\n", "*-1\r\nPING\r\n", "*-5\r\n",
                "*-9223372036854775808\r\nPING\r\n", "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n", "*1\r\n$0\r\n\r\n",
                "*5\r\n$4\r\nEVAL\r\n$11\r\nreturn ARGV\r\n$1\r\n0\r\n$4\r\na\r\nb\r\n$0\r\n\r\n",
                "*2\r\n$4\r\nECHO\r\n", "*1\r\n$4\r\nPI", "*1\n$4\nPING\n", "*1\n$4\r\nPING\r\n",
                // bad counts and lengths
                "*abc\r\n", "*\r\n", "*+1\r\n$4\r\nPING\r\n", "* 1\r\n", "*1 \r\n", "*01\r\n", "*-0\r\n",
                "*2147483648\r\n", "*9223372036854775807\r\n", "*-9223372036854775809\r\n", "*99999999999999999999\r\n",
                "*1\r\n$+4\r\nPING\r\n", "*1\r\n$04\r\nPING\r\n", "*1\r\n$-1\r\n", "*1\r\n$-0\r\nPING\r\n",
                "*1\r\n$4 \r\nPING\r\n", "*1\r\n$\r\n", "*1\r\n$536870913\r\n", "*1\r\n$536870912\r\n",
                "*1\r\n$-9223372036854775808\r\n",
                // $ mismatch
                "*1\r\n+PING\r\n", "*1\r\nPING\r\n", "*1\r\n\r\n", "*1\r\n\u0080\r\n", "*2\r\n$4\r\nECHO\r\n:1\r\n",
                // header lines without CR
                "*" + "1".repeat(65536 + 16384 + 10), "*1\r\n$" + "1".repeat(65536 + 16384 + 10));
    }

    static Stream<String> unauthenticatedInputs() {
        // Redis checks existence and arity before authentication: the commands must be well-formed.
        StringBuilder ten = new StringBuilder("*10\r\n$4\r\nEVAL\r\n$1\r\nx\r\n$1\r\n0\r\n");
        for (int i = 0; i < 7; i++) {
            ten.append("$1\r\nx\r\n");
        }
        return Stream.of("*10\r\n", ten.toString(), "*11\r\n", "*2147483648\r\n", "*1\r\n$16384\r\n",
                "*1\r\n$16385\r\n", "*1\r\n$536870913\r\n", "ECHO " + "a".repeat(20000) + "\r\n",
                "EVAL x 0 " + "a ".repeat(20) + "\r\n", "ECHO x\r\n*11\r\n");
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void framesLikeRedis(String input) throws IOException {
        compare(open, input, true);
    }

    @ParameterizedTest
    @MethodSource("unauthenticatedInputs")
    void framesLikeRedisBeforeAuthentication(String input) throws IOException {
        compare(protectedRedis, input, false);
    }

    /** The deliberate differences documented on {@link RequestDecoder}: Redis accepts or waits, we refuse. */
    @Test
    void redisAcceptsWhatWeDeliberatelyRefuse() throws IOException {
        assertEquals("+PONG\r\n", latin1(exchange(open, bytes("*1\r\n$4\r\nPINGxx"), false).reply));
        assertEquals("+PONG\r\n", latin1(exchange(open, bytes("*1\rX$4\r\nPING\r\n"), false).reply));
        assertEquals("+PONG\r\n", latin1(exchange(open, bytes("*1\r\n$4\rXPING\r\n"), false).reply));
        // The two bytes Redis skips after a payload are a place to smuggle a command.
        assertEquals("$1\r\na\r\n+PONG\r\n",
                latin1(exchange(open, bytes("*2\r\n$4\r\nECHO\r\n$1\r\naXYPING\r\n"), false).reply));
        Exchange nul = exchange(open, bytes("PING\0\r\n"), false);
        assertEquals("", latin1(nul.reply));
        assertFalse(nul.closed, "Redis waits for a line end hidden behind a NUL");
        Exchange manyArgs = exchange(open, bytes("*1048577\r\n"), false);
        assertEquals("", latin1(manyArgs.reply));
        assertFalse(manyArgs.closed, "Redis 7 accepts up to INT_MAX arguments");

        for (String input : List.of("*1\r\n$4\r\nPINGxx", "*2\r\n$4\r\nECHO\r\n$1\r\naXYPING\r\n", "*1\rX$4\r\nPING\r\n", "*1\r\n$4\rXPING\r\n", "PING\0\r\n", "*1048577\r\n")) {
            assertNotNull(DecoderHarness.decode(bytes(input)).violation(), input);
        }
    }

    private static void compare(RedisProcess redis, String input, boolean authenticated) throws IOException {
        byte[] raw = bytes(input);
        DecoderHarness harness = new DecoderHarness(RequestLimits.defaults(), authenticated);
        harness.write(raw);
        DecoderHarness.Result decoded = harness.finish();

        boolean complete = decoded.violation() == null && decoded.pending() == 0;
        Exchange direct = exchange(redis, complete ? concat(raw, QUIT) : raw, decoded.violation() != null);

        byte[] expected;
        if (authenticated) {
            ByteArrayOutputStream framed = new ByteArrayOutputStream();
            for (DecoderHarness.Decoded request : decoded.requests()) {
                framed.writeBytes(request.bytes());
            }
            framed.writeBytes(QUIT);
            Exchange viaDecoder = exchange(redis, framed.toByteArray(), true);
            assertTrue(viaDecoder.closed);
            expected = strip(viaDecoder.reply, QUIT_REPLY);
        } else {
            // Our frames cannot be replayed unauthenticated: an inline request, which Redis does not
            // bound before authentication, may re-encode beyond the multibulk limits. Every command in
            // the table is refused the same way, which is what Redis must have answered.
            expected = bytes(NOAUTH.repeat(decoded.requests().size()));
        }
        if (decoded.violation() != null) {
            expected = concat(expected, decoded.violation().redisErrorBytes());
        } else if (complete) {
            expected = concat(expected, QUIT_REPLY);
        }
        String shown = show(input);
        assertEquals(show(latin1(expected)), show(latin1(direct.reply)), "replies for " + shown);
        assertEquals(decoded.violation() != null || complete, direct.closed, "connection closed for " + shown);
    }

    private record Exchange(byte[] reply, boolean closed) {
    }

    /** Sends the bytes and reads until Redis closes, or until it stays silent for a while. */
    private static Exchange exchange(RedisProcess redis, byte[] request, boolean expectClose) throws IOException {
        try (Socket socket = redis.connect(expectClose ? 5000 : IDLE_MILLIS)) {
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            for (;;) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    return new Exchange(reply.toByteArray(), false);
                } catch (IOException e) {
                    // A reset after Redis closed on unread input.
                    return new Exchange(reply.toByteArray(), true);
                }
                if (n < 0) {
                    return new Exchange(reply.toByteArray(), true);
                }
                reply.write(buf, 0, n);
            }
        }
    }

    private static byte[] strip(byte[] reply, byte[] suffix) {
        int n = reply.length - suffix.length;
        assertTrue(n >= 0 && Arrays.equals(reply, n, reply.length, suffix, 0, suffix.length),
                () -> "reply does not end with QUIT's: " + show(latin1(reply)));
        return Arrays.copyOf(reply, n);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String show(String s) {
        String shown = s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
        return shown.length() > 200 ? shown.substring(0, 200) + "...(" + shown.length() + ")" : shown;
    }
}
