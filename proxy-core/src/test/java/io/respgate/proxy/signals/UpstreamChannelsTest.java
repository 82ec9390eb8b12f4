package io.respgate.proxy.signals;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamChannelsTest {
    @Test
    void aClosedConnectionIsRecognisedForAGracePeriodOnly() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        UpstreamChannels channels = new UpstreamChannels(now::get);
        InetAddress local = InetAddress.getByName("127.0.0.1");
        UpstreamChannels.Endpoint e = UpstreamChannels.Endpoint.of(local, 50000);
        assertFalse(channels.isProxy(local, 50000));
        channels.opened(e);
        assertTrue(channels.isProxy(local, 50000));
        assertFalse(channels.isProxy(local, 50001));
        assertEquals(1, channels.openCount());
        channels.closed(e);
        assertEquals(0, channels.openCount());
        now.addAndGet(UpstreamChannels.CLOSED_GRACE - 1);
        assertTrue(channels.isProxy(local, 50000), "Redis may still list it");
        now.addAndGet(1);
        assertFalse(channels.isProxy(local, 50000));
        channels.closed(UpstreamChannels.Endpoint.of(local, 50002)); // prunes what is past its grace
        assertEquals(1, channels.closedRemembered());
    }

    @Test
    void ipv4MappedAndScopedAddressesMatchTheirPlainForm() throws Exception {
        UpstreamChannels channels = new UpstreamChannels();
        InetAddress mapped = InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff,
                10, 0, 0, 7});
        channels.opened(UpstreamChannels.Endpoint.of(mapped, 40000));
        assertTrue(channels.isProxy(InetAddress.getByName("10.0.0.7"), 40000));
        channels.opened(UpstreamChannels.Endpoint.of(InetAddress.getByName("fe80::1%1"), 40001));
        assertTrue(channels.isProxy(InetAddress.getByName("fe80::1"), 40001));
    }

    @Test
    void aPortReusedWhileTheOldEntryIsOpenCountsTwice() throws Exception {
        UpstreamChannels channels = new UpstreamChannels(() -> TimeUnit.SECONDS.toNanos(100));
        InetAddress local = InetAddress.getByName("127.0.0.1");
        UpstreamChannels.Endpoint e = UpstreamChannels.Endpoint.of(local, 50000);
        channels.opened(e);
        channels.opened(e); // the new connection registered before the old one's close listener ran
        channels.closed(e);
        assertEquals(1, channels.openCount());
    }
}
