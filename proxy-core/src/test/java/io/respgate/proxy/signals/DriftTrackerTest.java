package io.respgate.proxy.signals;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DriftTrackerTest {
    private static Map<String, String> settings(String... pairs) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static Map<String, AclUser> users(String... lines) {
        Map<String, AclUser> m = new HashMap<>();
        for (String line : lines) {
            AclUser u = AclUser.parse(line.getBytes(StandardCharsets.UTF_8));
            m.put(u.name(), u);
        }
        return m;
    }

    @Test
    void theFirstReadIsTheBaselineAndLaterChangesAreDrift() {
        DriftTracker t = new DriftTracker();
        assertFalse(t.hasBaseline());
        assertEquals(List.of(), t.update(settings("dir", "/data", "appendonly", "no", "requirepass", "set"),
                users("user default on #" + AclUserTest.HASH_A + " ~* +@all")));
        assertTrue(t.hasBaseline());
        String summary = t.summary();
        assertTrue(summary.contains("dir=\"/data\"") && summary.contains("requirepass=\"set\"")
                && summary.contains("acl users=[default]"), summary);
        assertFalse(summary.contains(AclUserTest.HASH_A), summary);

        List<DriftTracker.Change> changes = t.update(settings("dir", "/tmp", "appendonly", "no", "requirepass", "set"),
                users("user default on #" + AclUserTest.HASH_A + " ~* +@all"));
        assertEquals(1, changes.size());
        assertEquals(SignalSink.Drift.of("dir", "/data", "/tmp"), changes.get(0).drift());
        assertEquals("Redis setting dir changed from \"/data\" to \"/tmp\" (not through RespGate)",
                changes.get(0).message());
        assertEquals(List.of(), t.update(settings("dir", "/tmp"), null), "the new value is the one compared");
    }

    @Test
    void anUnreadableSettingKeepsItsLastValue() {
        DriftTracker t = new DriftTracker();
        t.update(settings("save", "3600 1"), null);
        assertEquals(List.of(), t.update(settings(), null));
        assertEquals(List.of(), t.update(settings("save", "3600 1"), users("user default on nopass ~* +@all")),
                "users read for the first time are their baseline");
        assertEquals("save", t.update(settings("save", ""), null).get(0).drift().setting());
    }

    @Test
    void usersAddedRemovedAndChangedWithoutSecrets() {
        DriftTracker t = new DriftTracker();
        t.update(settings(), users("user default on nopass ~* +@all", "user app on #" + AclUserTest.HASH_A + " ~app:* +get",
                "user old on nopass +ping"));
        List<DriftTracker.Change> changes = t.update(settings(), users("user default on nopass ~* +@all -flushall",
                "user app on #" + AclUserTest.HASH_B + " ~app:* +get", "user intruder on nopass ~* &* +@all"));
        assertEquals(1, changes.size());
        SignalSink.Drift d = changes.get(0).drift();
        assertEquals("acl", d.setting());
        assertEquals(List.of("intruder"), d.usersAdded());
        assertEquals(List.of("old"), d.usersRemoved());
        assertEquals(List.of("app", "default"), d.usersChanged());
        String message = changes.get(0).message();
        assertTrue(message.contains("added intruder (on nopass ~* &* +@all)"), message);
        assertTrue(message.contains("changed app (passwords changed)"), message);
        assertTrue(message.contains("changed default (rules were \"on nopass ~* +@all\", now"), message);
        assertTrue(message.contains("removed old"), message);
        assertFalse(message.contains(AclUserTest.HASH_A) || message.contains(AclUserTest.HASH_B), message);
    }
}
