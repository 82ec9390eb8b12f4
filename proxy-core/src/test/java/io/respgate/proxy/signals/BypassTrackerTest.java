package io.respgate.proxy.signals;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BypassTrackerTest {
    private static ClientInfo client(long id, long age) {
        return ClientInfo.parse("id=" + id + " addr=10.0.0.9:" + (40000 + id) + " age=" + age + " user=default cmd=get");
    }

    private static List<Long> ids(List<ClientInfo> clients) {
        return clients.stream().map(ClientInfo::id).toList();
    }

    @Test
    void aYoungConnectionSeenOnceIsNotABypassYet() {
        BypassTracker tracker = new BypassTracker();
        BypassTracker.Result first = tracker.update(List.of(client(1, 0)));
        assertEquals(List.of(), first.bypasses());
        // A proxy connection that was not registered yet is gone from the unexpected list next time.
        assertEquals(List.of(), tracker.update(List.of()).bypasses());
        assertEquals(List.of(), tracker.update(List.of(client(2, 2))).bypasses(), "2 s is still young");
    }

    @Test
    void aYoungConnectionSeenTwiceIsReportedOnceAndCountedWhileItLasts() {
        BypassTracker tracker = new BypassTracker();
        tracker.update(List.of(client(1, 0)));
        BypassTracker.Result second = tracker.update(List.of(client(1, 1)));
        assertEquals(List.of(1L), ids(second.bypasses()));
        assertEquals(List.of(1L), ids(second.fresh()));
        BypassTracker.Result third = tracker.update(List.of(client(1, 2)));
        assertEquals(List.of(1L), ids(third.bypasses()));
        assertEquals(List.of(), third.fresh(), "one long-lived bypass is counted once");
        assertEquals(List.of(), tracker.update(List.of()).bypasses());
    }

    @Test
    void anOldConnectionIsABypassAtOnce() {
        BypassTracker tracker = new BypassTracker();
        BypassTracker.Result r = tracker.update(List.of(client(5, 3), client(6, 0), client(7, 3600)));
        assertEquals(List.of(5L, 7L), ids(r.bypasses()));
        assertEquals(List.of(5L, 7L), ids(r.fresh()));
        BypassTracker.Result next = tracker.update(List.of(client(5, 4), client(6, 1), client(7, 3601), client(8, 9)));
        assertEquals(List.of(5L, 6L, 7L, 8L), ids(next.bypasses()));
        assertEquals(List.of(6L, 8L), ids(next.fresh()));
    }
}
