package io.respgate.proxy;

import io.respgate.proxy.metrics.ProxyMetrics;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code limits.max_clients} and {@code limits.max_connections_per_source}: client connections open
 * now, in all and per source address. Touched once when a connection is accepted and once when it
 * closes, never per command. A per-source count is removed when it drops to zero, so a spray of
 * addresses cannot grow the map beyond the connections actually open.
 */
final class ConnectionLimiter {
    private final int maxClients;
    private final int maxPerSource;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();

    /** @param maxPerSource 0: no per-source limit (and no per-source counting) */
    ConnectionLimiter(int maxClients, int maxPerSource) {
        this.maxClients = maxClients;
        this.maxPerSource = maxPerSource;
    }

    /**
     * Takes a slot for a connection from {@code source} (null: unknown, counted in the total only).
     * Returns null when the connection may stay, else why it is refused; a refused connection holds
     * no slot and must not be {@link #release released}.
     */
    ProxyMetrics.Refusal tryAcquire(InetAddress source) {
        if (open.incrementAndGet() > maxClients) {
            open.decrementAndGet();
            return ProxyMetrics.Refusal.MAX_CLIENTS;
        }
        if (maxPerSource > 0 && source != null) {
            boolean[] refused = {false};
            perSource.compute(source, (address, count) -> {
                AtomicInteger c = count == null ? new AtomicInteger() : count;
                if (c.get() >= maxPerSource) {
                    refused[0] = true;
                } else {
                    c.incrementAndGet();
                }
                return c.get() == 0 ? null : c;
            });
            if (refused[0]) {
                open.decrementAndGet();
                return ProxyMetrics.Refusal.MAX_PER_SOURCE;
            }
        }
        return null;
    }

    /** Gives back the slot of a connection that {@link #tryAcquire} let in. */
    void release(InetAddress source) {
        open.decrementAndGet();
        if (maxPerSource > 0 && source != null) {
            perSource.computeIfPresent(source, (address, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
    }

    /** Connections holding a slot now. */
    int open() {
        return open.get();
    }

    /** Connections from {@code source} holding a slot now (0 without a per-source limit). */
    int openFrom(InetAddress source) {
        AtomicInteger count = perSource.get(source);
        return count == null ? 0 : count.get();
    }
}
