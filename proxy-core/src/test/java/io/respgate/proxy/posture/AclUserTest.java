package io.respgate.proxy.posture;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AclUserTest {
    private static final String HASH = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";

    @Test
    void dropsPasswordHashesFromTheRules() {
        AclUser user = AclUser.parse("user default on #" + HASH + " ~* &* +@all");
        assertEquals("default", user.name());
        assertTrue(user.on());
        assertTrue(user.hasPassword());
        assertFalse(user.nopass());
        assertEquals("on ~* &* +@all", user.rules());
        assertFalse(user.rules().contains(HASH));
    }

    @Test
    void dropsPlaintextPasswordRulesToo() {
        AclUser user = AclUser.parse("user app on >hunter2 <old ~app:* +get");
        assertEquals("on ~app:* +get", user.rules());
        assertTrue(user.hasPassword());
    }

    @Test
    void readsOnOffAndNopass() {
        AclUser open = AclUser.parse("user open on nopass resetchannels +@all");
        assertTrue(open.on());
        assertTrue(open.nopass());
        AclUser off = AclUser.parse("user old off nopass ~* +@all");
        assertFalse(off.on());
    }

    @Test
    void allCommandsOnlyWhenNothingIsTakenAwayAfterIt() {
        assertTrue(AclUser.parse("user a on nopass ~* +@all").allCommands());
        assertTrue(AclUser.parse("user a on nopass ~* allcommands").allCommands());
        assertTrue(AclUser.parse("user a on nopass ~* -@all +@all").allCommands());
        assertFalse(AclUser.parse("user a on nopass ~* +@all -@dangerous").allCommands());
        assertFalse(AclUser.parse("user a on nopass ~* +@all -flushall").allCommands());
        assertFalse(AclUser.parse("user a on nopass ~* -@all +get").allCommands());
        assertFalse(AclUser.parse("user a on nopass ~* +@all nocommands").allCommands());
    }

    @Test
    void aSelectorThatAllowsEverythingCounts() {
        AclUser user = AclUser.parse("user a on #" + HASH + " ~x -@all +get (~* +@all) (~y +set)");
        assertTrue(user.allCommands());
        assertEquals("on ~x -@all +get (~* +@all) (~y +set)", user.rules());
    }

    @Test
    void refusesSomethingThatIsNotAUserLine() {
        assertThrows(IllegalArgumentException.class, () -> AclUser.parse(""));
        assertThrows(IllegalArgumentException.class, () -> AclUser.parse("group x"));
    }
}
