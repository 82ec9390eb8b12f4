package io.respgate.proxy.fuzz;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Differences from Redis that {@link DifferentialFuzzTest} found and that are fixed, each as its minimal input. */
@ExtendWith(ProxyExtension.class)
@Timeout(30)
class FuzzRegressionTest {

    /**
     * ClientSession queues the database of every forwarded SELECT and applies the head of the queue when
     * Redis answers {@code +OK}; on an error reply it applied nothing but also left the entry queued, so
     * the next successful SELECT applied the failed one's database (then every command was refused with
     * {@code -NOPERM this user may not use database -1}).
     */
    @Test
    void aRefusedSelectDoesNotMoveTheSessionsDatabase(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port)) {
                assertEquals("-ERR DB index is out of range\r\n", c.call("SELECT", "-1"));
                assertEquals("+OK\r\n", c.call("SELECT", "0"));
                assertEquals("$-1\r\n", c.call("GET", "k"), "port " + port);
            }
        }
    }

    /**
     * HelloRequest quoted a bad option with {@code frame.argToString} (UTF-8 decoded, whole), where Redis
     * quotes its bytes up to the first NUL ({@code %s}).
     */
    @Test
    void aBadHelloOptionIsQuotedAsRedisQuotesIt(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port)) {
                assertEquals("-ERR Syntax error in HELLO option '\u00c3\u00a9'\r\n", c.call("HELLO", "3", "\u00c3\u00a9"),
                        "port " + port);
                assertEquals("-ERR Syntax error in HELLO option '\u00ff'\r\n", c.call("HELLO", "3", "\u00ff"));
                assertEquals("-ERR Syntax error in HELLO option 'a'\r\n", c.call("HELLO", "2", "a\u0000b"));
            }
        }
    }

    /**
     * Local errors that quote client bytes of 0x80 and above went out UTF-8 encoded (fixed in
     * {@code RespReplies.error}): an unknown command, and a protocol error naming the byte it got.
     */
    @Test
    void localErrorsQuoteClientBytesAsTheyAre(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port)) {
                assertEquals("-ERR unknown command '\u00c8\u00ff', with args beginning with: '\u00e9' \r\n",
                        c.call("\u00c8\u00ff", "\u00e9"), "port " + port);
                c.send("*1\r\n\u00ff\r\n");
                assertEquals("-ERR Protocol error: expected '$', got '\u00ff'\r\n", c.readReply(), "port " + port);
            }
        }
    }
}
