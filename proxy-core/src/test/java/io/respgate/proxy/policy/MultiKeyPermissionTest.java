package io.respgate.proxy.policy;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.respgate.proxy.policy.Fixtures.KEYS_NOPERM;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** alice (~app:*) cannot reach other keys through multi-key commands; Redis itself agrees on the text. */
@Timeout(60)
class MultiKeyPermissionTest {

    private static final String[][] DENIED = {
            {"MSET", "app:a", "1", "other", "2"},
            {"RENAME", "app:a", "other"},
            {"LMOVE", "app:l", "other", "LEFT", "RIGHT"},
            {"SORT", "app:l", "STORE", "other"},
            {"EVAL", "return 1", "1", "other"},
            {"MGET", "app:a", "other"},
            {"DEL", "app:a", "other"},
            {"COPY", "app:a", "other"},
            {"SINTERSTORE", "other", "app:s"},
            {"EVAL", "return 1", "2", "app:a", "other"},
    };

    /** Seeds the keys through bob so every denied command would otherwise succeed. */
    private static void seed(ProxiedRedis pair) throws Exception {
        try (RawConnection bob = Fixtures.signedIn(pair, "bob", Fixtures.BOB_PASS)) {
            assertEquals("+OK\r\n", bob.call("SET", "app:a", "1"));
            assertEquals(":3\r\n", bob.call("RPUSH", "app:l", "3", "1", "2"));
            assertEquals(":1\r\n", bob.call("SADD", "app:s", "m"));
        }
    }

    @Test
    void otherKeysThroughMultiKeyCommandsAreDeniedWithRedisText() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection alice = Fixtures.signedIn(pair, "alice", Fixtures.ALICE_PASS)) {
            seed(pair);
            for (String[] command : DENIED) {
                assertEquals(KEYS_NOPERM, alice.call(command), String.join(" ", command));
            }
            try (RawConnection direct = new RawConnection(pair.redisPort())) {
                assertEquals(":0\r\n", direct.call("EXISTS", "other"), "no command reached 'other'");
                assertEquals(":3\r\n", direct.call("LLEN", "app:l"));
                assertEquals("$1\r\n1\r\n", direct.call("GET", "app:a"));
            }
        }
    }

    @Test
    void redisOwnAclGivesTheSameReplies() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection alice = Fixtures.signedIn(pair, "alice", Fixtures.ALICE_PASS);
             RawConnection direct = new RawConnection(pair.redisPort())) {
            seed(pair);
            assertEquals("+OK\r\n", direct.call("ACL", "SETUSER", "alice", "on", ">pw", "~app:*", "&*", "+@all"));
            assertEquals("+OK\r\n", direct.call("AUTH", "alice", "pw"));
            for (String[] command : DENIED) {
                assertEquals(direct.call(command), alice.call(command), String.join(" ", command));
            }
        }
    }

    @Test
    void sameCommandsOnAppKeysSucceed() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection alice = Fixtures.signedIn(pair, "alice", Fixtures.ALICE_PASS)) {
            seed(pair);
            assertEquals("+OK\r\n", alice.call("MSET", "app:a", "1", "app:b", "2"));
            assertEquals("+OK\r\n", alice.call("RENAME", "app:a", "app:c"));
            assertEquals("$1\r\n3\r\n", alice.call("LMOVE", "app:l", "app:m", "LEFT", "RIGHT"));
            assertEquals(":2\r\n", alice.call("SORT", "app:l", "STORE", "app:sorted"));
            assertEquals(":1\r\n", alice.call("EVAL", "return 1", "1", "app:c"));
            assertEquals("*2\r\n$1\r\n1\r\n$1\r\n2\r\n", alice.call("LRANGE", "app:sorted", "0", "-1"));
            assertEquals("*2\r\n$1\r\n1\r\n$1\r\n2\r\n", alice.call("MGET", "app:c", "app:b"));
        }
    }
}
