package io.respgate.proxy;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The basic path: commands reach Redis and replies come back byte for byte, in order. */
@ExtendWith(ProxyExtension.class)
class ForwardingTest {

    @Test
    void setAndGetThroughTheProxy(ProxiedRedis redis) throws Exception {
        try (RawConnection client = new RawConnection(redis.proxyPort());
             RawConnection direct = new RawConnection(redis.redisPort())) {
            assertEquals("+OK\r\n", client.call("SET", "k", "v"));
            assertEquals("$1\r\nv\r\n", client.call("GET", "k"));
            assertEquals("$1\r\nv\r\n", direct.call("GET", "k"), "the write reached the real Redis");
        }
    }

    @Test
    void inlineCommandsAreForwardedAsMultibulk(ProxiedRedis redis) throws Exception {
        try (RawConnection client = new RawConnection(redis.proxyPort())) {
            client.send("SET \"a b\" 'c d'\r\n");
            assertEquals("+OK\r\n", client.readReply());
            assertEquals("$3\r\nc d\r\n", client.call("GET", "a b"));
        }
    }

    @Test
    void pipelinedRepliesKeepRequestOrder(ProxiedRedis redis) throws Exception {
        try (RawConnection client = new RawConnection(redis.proxyPort())) {
            StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                pipeline.append(RawConnection.multibulk("INCR", "counter"));
            }
            client.send(pipeline.toString());
            for (int i = 1; i <= 1000; i++) {
                assertEquals(":" + i + "\r\n", client.readReply());
            }
        }
    }

    @Test
    void quitAnswersOkAndNothingAfterItRuns(ProxiedRedis redis) throws Exception {
        try (RawConnection client = new RawConnection(redis.proxyPort());
             RawConnection direct = new RawConnection(redis.redisPort())) {
            client.send(RawConnection.multibulk("SET", "before", "1")
                    + RawConnection.multibulk("QUIT")
                    + RawConnection.multibulk("SET", "after", "1"));
            assertEquals("+OK\r\n", client.readReply());
            assertEquals("+OK\r\n", client.readReply());
            assertTrue(client.closedByPeer());
            assertEquals("$1\r\n1\r\n", direct.call("GET", "before"));
            assertEquals("$-1\r\n", direct.call("GET", "after"));
        }
    }
}
