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

    /**
     * ClientSession entered MULTI when it forwarded MULTI; in RESP2 subscribed mode Redis refuses MULTI,
     * but RespGate then refused SUBSCRIBE/UNSUBSCRIBE "inside MULTI" and answered EXEC with its own
     * EXECABORT. Now MULTI opens nothing while subscribed (and waits when a mode change is in flight).
     */
    @Test
    void aMultiRedisRefusesOpensNoTransaction(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port)) {
                c.call("SUBSCRIBE", "a");
                assertEquals("-ERR Can't execute 'multi': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are"
                        + " allowed in this context\r\n", c.call("MULTI"));
                assertEquals("*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n", c.call("UNSUBSCRIBE"), "port " + port);
                assertEquals("-ERR EXEC without MULTI\r\n", c.call("EXEC"), "port " + port);
            }
        }
    }

    /**
     * In RESP2 subscribed mode Redis refuses every command but (P|S)(UN)SUBSCRIBE, PING, QUIT and RESET
     * before running it; RespGate answered HELLO and AUTH itself, so a bad HELLO got HELLO's own error
     * and AUTH was carried out (the session could change user while subscribed).
     */
    @Test
    void helloAndAuthAreRefusedWhileSubscribed(ProxiedRedis redis) throws Exception {
        String refused = "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n";
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port)) {
                c.call("SUBSCRIBE", "a");
                assertEquals("-ERR Can't execute 'hello" + refused, c.call("HELLO", "2", "x"), "port " + port);
                assertEquals("-ERR Can't execute 'auth" + refused, c.call("AUTH", "default", "x"),
                        "port " + port);
            }
        }
    }

    /**
     * With CLIENT REPLY OFF (or SKIP pending), an EXEC of a transaction in which RespGate refused a command
     * itself was answered locally and a DISCARD went to Redis with an internal slot for its reply; Redis
     * sent none (replies are off), so the slot took the next reply Redis sent, and every reply after it
     * went to the command before: the client got GET's reply for CLIENT REPLY ON and waited forever for
     * GET's.
     */
    @Test
    void aDiscardSentWhileRepliesAreOffTakesNoReply(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port, 5000)) {
                c.send("CLIENT REPLY OFF\r\nMULTI\r\nNOSUCH\r\nEXEC\r\nCLIENT REPLY ON\r\nGET k\r\n");
                assertEquals("+OK\r\n", c.readReply(), "port " + port);
                assertEquals("$-1\r\n", c.readReply(), "port " + port);
            }
        }
    }

    /**
     * In RESP2 subscribed mode Redis refuses CLIENT REPLY, but RespGate applied it as it forwarded it: after
     * OFF it dropped its own replies (here NOSUCH's error), after SKIP it took no slot for the next
     * command, so a later local reply overtook that command's replies from Redis.
     */
    @Test
    void clientReplyRefusedWhileSubscribedChangesNothing(ProxiedRedis redis) throws Exception {
        String refused = "-ERR Can't execute 'client|reply': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET"
                + " are allowed in this context\r\n";
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port, 5000)) {
                c.send("SUBSCRIBE a\r\nCLIENT REPLY SKIP\r\nSUBSCRIBE b\r\nNOSUCH\r\nCLIENT REPLY OFF\r\nNOSUCH\r\n");
                assertEquals("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n", c.readReply());
                assertEquals(refused, c.readReply());
                assertEquals("*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n", c.readReply(), "port " + port);
                String unknown = "-ERR unknown command 'NOSUCH', with args beginning with: \r\n";
                assertEquals(unknown, c.readReply(), "port " + port);
                assertEquals(refused, c.readReply(), "port " + port);
                assertEquals(unknown, c.readReply(), "port " + port);
            }
        }
    }

    /**
     * Redis answers any refusal of EXEC before running it (here its arity) with {@code -EXECABORT
     * Transaction discarded because of: ...} and ends the transaction; RespGate answered the arity error
     * itself, plainly, and its upstream connection stayed in MULTI, so the next command was queued.
     */
    @Test
    void aRefusedExecEndsTheTransaction(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port)) {
                assertEquals("+OK\r\n", c.call("MULTI"));
                assertEquals("+QUEUED\r\n", c.call("SET", "a", "1"));
                assertEquals("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec'"
                        + " command\r\n", c.call("EXEC", "x"), "port " + port);
                assertEquals("$-1\r\n", c.call("GET", "a"), "port " + port);
            }
        }
    }

    /**
     * Redis applies a pending CLIENT REPLY SKIP to RESET (no {@code +RESET}); ClientSession.reset() cleared
     * the skip first and waited for a {@code +RESET}, so it took the next command's reply for it, and a later
     * local reply left out of order (here NOSUCH's error after ECHO's reply).
     */
    @Test
    void resetAfterClientReplySkipKeepsTheOrder(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            try (RawConnection c = new RawConnection(port, 5000)) {
                c.send("CLIENT REPLY SKIP\r\nRESET\r\nGET k\r\nNOSUCH\r\nECHO end\r\n");
                assertEquals("$-1\r\n", c.readReply(), "port " + port);
                assertEquals("-ERR unknown command 'NOSUCH', with args beginning with: \r\n", c.readReply(), "port " + port);
                assertEquals("$3\r\nend\r\n", c.readReply(), "port " + port);
            }
        }
    }

    /**
     * The ACL check refused any container command resolved to no subcommand, so {@code COMMAND} alone (the
     * list of every command, which Redis runs) got {@code -NOPERM ... 'command' command} even with
     * {@code +@all}. Its reply lists commands in hash-table order, so only its count is compared.
     */
    @Test
    void commandAloneIsForwarded(ProxiedRedis redis) throws Exception {
        String count;
        try (RawConnection direct = new RawConnection(redis.redisPort())) {
            count = direct.call("COMMAND", "COUNT");
        }
        try (RawConnection c = new RawConnection(redis.proxyPort())) {
            String all = c.call("COMMAND");
            assertEquals("*" + count.substring(1), all.substring(0, all.indexOf("\r\n") + 2));
            assertEquals("-ERR wrong number of arguments for 'config' command\r\n", c.call("CONFIG"),
                    "other containers alone fail their arity, as in Redis");
        }
    }

    /** Outside MULTI too, Redis's refusal of EXEC forgets the keys watched: RespGate sends UNWATCH for it. */
    @Test
    void aRefusedExecForgetsTheWatchedKeys(ProxiedRedis redis) throws Exception {
        for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
            String key = "watched:" + port;
            try (RawConnection c = new RawConnection(port);
                 RawConnection other = new RawConnection(redis.redisPort())) {
                assertEquals("+OK\r\n", c.call("WATCH", key));
                assertEquals("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec'"
                        + " command\r\n", c.call("EXEC", "x"), "port " + port);
                assertEquals("+OK\r\n", other.call("SET", key, "2"));
                assertEquals("+OK\r\n", c.call("MULTI"));
                assertEquals("+QUEUED\r\n", c.call("GET", key));
                assertEquals("*1\r\n$1\r\n2\r\n", c.call("EXEC"), "no longer watched, port " + port);
            }
        }
    }

    /**
     * An empty request ({@code *0}, {@code *-1}, a blank inline line) still ends a request in Redis, which
     * uses up a pending CLIENT REPLY SKIP. The decoder dropped it, so the proxy and its Redis applied the
     * SKIP to the next command instead and its reply went missing.
     */
    @Test
    void anEmptyRequestUsesUpAPendingSkip(ProxiedRedis redis) throws Exception {
        for (String empty : new String[] {"*0\r\n", "*-1\r\n", "\r\n", "  \t \r\n"}) {
            for (int port : new int[] {redis.redisPort(), redis.proxyPort()}) {
                try (RawConnection c = new RawConnection(port)) {
                    String where = "port " + port + " after " + empty.trim();
                    c.send("CLIENT REPLY SKIP\r\n" + empty + "PING\r\nECHO a\r\n");
                    assertEquals("+PONG\r\n", c.readReply(), where);
                    assertEquals("$1\r\na\r\n", c.readReply(), where);
                    c.send(empty + "CLIENT REPLY SKIP\r\nPING\r\n" + empty + "ECHO b\r\n");
                    assertEquals("$1\r\nb\r\n", c.readReply(), "a SKIP still applies to the next command, " + where);
                }
            }
        }
    }
}
