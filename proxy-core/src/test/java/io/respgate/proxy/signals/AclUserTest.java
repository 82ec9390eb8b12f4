package io.respgate.proxy.signals;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AclUserTest {
    static final String HASH_A = "a".repeat(64);
    static final String HASH_B = "b".repeat(64);

    private static AclUser parse(String line) {
        return AclUser.parse(line.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void secretsAreStrippedAndOnlyDigested() {
        AclUser u = parse("user app on #" + HASH_A + " >plain-secret <old-secret ~app:* resetchannels -@all +get");
        assertEquals("app", u.name());
        assertEquals("on ~app:* resetchannels -@all +get", u.rules());
        assertFalse(u.toString().contains(HASH_A) || u.toString().contains("secret"), u.toString());
        assertFalse(u.toString().contains(hex(u.secretsDigest())), "the digest is never printed");
    }

    @Test
    void aPasswordChangeIsVisibleWithoutTheValue() {
        AclUser a = parse("user app on #" + HASH_A + " ~* +@all");
        AclUser b = parse("user app on #" + HASH_B + " ~* +@all");
        assertEquals(a.rules(), b.rules());
        assertFalse(a.sameSecrets(b));
        assertNotEquals(a, b);
        assertEquals(a, parse("user app on #" + HASH_A + " ~* +@all"));
        assertArrayEquals(AclUser.noSecrets(), parse("user default on nopass ~* +@all").secretsDigest());
    }

    @Test
    void selectorsStayOneToken() {
        AclUser u = parse("user s on nopass ~a* +get (~b* +set) (%R~c* +@read)");
        assertEquals("on nopass ~a* +get (~b* +set) (%R~c* +@read)", u.rules());
    }

    @Test
    void notAUserLine() {
        assertThrows(IllegalArgumentException.class, () -> parse("default on nopass"));
        assertThrows(IllegalArgumentException.class, () -> parse("user"));
        assertThrows(IllegalArgumentException.class, () -> parse(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("usr x #" + HASH_A));
        assertTrue(!e.getMessage().contains(HASH_A));
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }
}
