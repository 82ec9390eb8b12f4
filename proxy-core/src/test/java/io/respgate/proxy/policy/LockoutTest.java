package io.respgate.proxy.policy;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static io.respgate.proxy.policy.Fixtures.WRONGPASS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Ten failed authentications from one address lock it out for a while; others are unaffected. */
@Timeout(60)
class LockoutTest {
    private static final String LOCKED_OUT =
            "-ERR too many failed authentication attempts from this address; try again later\r\n";

    @Test
    void tenFailuresLockTheAddressOutEvenForTheRightPassword() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection bobBefore = Fixtures.signedIn(pair, "bob", Fixtures.BOB_PASS);
             RawConnection attacker = new RawConnection(pair.proxyPort())) {
            for (int i = 1; i <= 10; i++) {
                assertEquals(WRONGPASS, attacker.call("AUTH", "alice", "guess-" + i), "attempt " + i);
            }
            assertEquals(LOCKED_OUT, attacker.call("AUTH", "alice", Fixtures.ALICE_PASS));
            assertEquals(LOCKED_OUT, attacker.call("HELLO", "3", "AUTH", "alice", Fixtures.ALICE_PASS));
            assertEquals(Fixtures.NOAUTH, attacker.call("GET", "app:k"));
            try (RawConnection fresh = new RawConnection(pair.proxyPort())) {
                assertEquals(LOCKED_OUT, fresh.call("AUTH", "bob", Fixtures.BOB_PASS),
                        "the lockout is per address, for every user");
            }
            // a connection signed in before the lockout keeps working
            assertEquals("+OK\r\n", bobBefore.call("SET", "app:still", "ok"));
            assertEquals("$2\r\nok\r\n", bobBefore.call("GET", "app:still"));
        }
    }

    @Test
    void nineFailuresDoNotLockOutAndSuccessClearsTheCount() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection client = new RawConnection(pair.proxyPort())) {
            for (int i = 1; i <= 9; i++) {
                assertEquals(WRONGPASS, client.call("AUTH", "alice", "guess-" + i));
            }
            assertEquals("+OK\r\n", client.call("AUTH", "alice", Fixtures.ALICE_PASS));
            for (int i = 1; i <= 9; i++) {
                assertEquals(WRONGPASS, client.call("AUTH", "alice", "again-" + i), "count was reset by the success");
            }
            assertEquals("+OK\r\n", client.call("AUTH", "alice", Fixtures.ALICE_PASS));
        }
    }

    @Test
    void anotherSourceAddressIsNotLockedOut() throws Exception {
        try (ProxiedRedis pair = Fixtures.startStandard();
             RawConnection attacker = new RawConnection(pair.proxyPort())) {
            for (int i = 1; i <= 10; i++) {
                assertEquals(WRONGPASS, attacker.call("AUTH", "alice", "guess-" + i));
            }
            assertEquals(LOCKED_OUT, attacker.call("AUTH", "alice", Fixtures.ALICE_PASS));
            // 127.0.0.2 is loopback on Linux too: a different source address reaching the same proxy
            try (Socket other = new Socket()) {
                other.bind(new InetSocketAddress("127.0.0.2", 0));
                other.connect(new InetSocketAddress(ProxiedRedis.HOST, pair.proxyPort()), 5_000);
                other.setSoTimeout(10_000);
                OutputStream out = other.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(other.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                out.write(RawConnection.multibulk("AUTH", "alice", Fixtures.ALICE_PASS)
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                assertEquals("+OK", in.readLine());
                out.write(RawConnection.multibulk("PING").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                assertEquals("+PONG", in.readLine());
            }
        }
    }
}
