package io.respgate.proxy.signals;

import io.netty.channel.Channel;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The local addresses of the proxy's own connections to Redis: what Redis shows as {@code addr=} for
 * them in {@code CLIENT LIST}. Event loops add and remove entries, the watch thread reads them.
 *
 * <p>A closed connection is still recognised for {@link #CLOSED_GRACE}: Redis may list a connection
 * for a moment after the proxy closed it, and that must not look like a bypass.
 */
public final class UpstreamChannels {
    static final long CLOSED_GRACE = TimeUnit.SECONDS.toNanos(10);

    private final ConcurrentHashMap<Endpoint, Integer> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Endpoint, Long> recentlyClosed = new ConcurrentHashMap<>();
    private final AtomicLong lastPrune = new AtomicLong();
    private final LongSupplier nanoClock;

    public UpstreamChannels() {
        this(System::nanoTime);
    }

    UpstreamChannels(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        lastPrune.set(nanoClock.getAsLong());
    }

    /**
     * Remembers {@code channel}'s local address until it closes. Call it as soon as the TCP
     * connection is up (before a TLS handshake: Redis lists the connection from its accept on).
     */
    public void track(Channel channel) {
        if (!(channel.localAddress() instanceof InetSocketAddress local)) {
            return;
        }
        Endpoint endpoint = Endpoint.of(local.getAddress(), local.getPort());
        if (endpoint == null) {
            return;
        }
        opened(endpoint);
        channel.closeFuture().addListener(f -> closed(endpoint));
    }

    void opened(Endpoint endpoint) {
        open.merge(endpoint, 1, Integer::sum);
    }

    void closed(Endpoint endpoint) {
        long now = nanoClock.getAsLong();
        open.computeIfPresent(endpoint, (e, n) -> n > 1 ? n - 1 : null);
        recentlyClosed.put(endpoint, now);
        // At most once a second, whoever comes first: the map stays bounded by the close rate.
        long last = lastPrune.get();
        if (now - last > TimeUnit.SECONDS.toNanos(1) && lastPrune.compareAndSet(last, now)) {
            prune(now);
        }
    }

    /** Whether {@code address:port} is a connection of this proxy, open or closed a moment ago. */
    boolean isProxy(InetAddress address, int port) {
        Endpoint endpoint = Endpoint.of(address, port);
        if (endpoint == null) {
            return false;
        }
        if (open.containsKey(endpoint)) {
            return true;
        }
        Long closedAt = recentlyClosed.get(endpoint);
        return closedAt != null && nanoClock.getAsLong() - closedAt < CLOSED_GRACE;
    }

    /** Connections open now. */
    int openCount() {
        return open.values().stream().mapToInt(Integer::intValue).sum();
    }

    int closedRemembered() {
        return recentlyClosed.size();
    }

    private void prune(long now) {
        recentlyClosed.entrySet().removeIf(e -> now - e.getValue() >= CLOSED_GRACE);
    }

    /** An address and port, IPv4-mapped IPv6 addresses as IPv4 and without an IPv6 scope. */
    record Endpoint(InetAddress address, int port) {
        static Endpoint of(InetAddress address, int port) {
            if (address == null) {
                return null;
            }
            InetAddress plain = address;
            if (address instanceof Inet6Address) {
                try {
                    // getByAddress turns a mapped address into an Inet4Address and drops the scope.
                    plain = InetAddress.getByAddress(address.getAddress());
                } catch (UnknownHostException e) {
                    return null; // cannot happen for a 16-byte address
                }
            }
            return new Endpoint(plain, port);
        }
    }
}
