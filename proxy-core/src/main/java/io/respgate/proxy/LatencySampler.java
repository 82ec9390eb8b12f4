package io.respgate.proxy;

import io.respgate.proxy.metrics.ProxyMetrics;

/**
 * Times one forwarded command at a time per connection: from its decoding to its reply leaving
 * for the client (the round trip), and from the flush towards Redis to that moment (the upstream
 * part). Their difference is the proxy's own share. One sample in flight, and one sample per
 * {@link #EVERY} round trips, keep the cost far below a histogram update per command (which a
 * profile showed as the largest part of the metrics' cost). With {@code metrics.commands: false} it
 * never samples: {@link #idle} is always false, so no sample starts and the clock is never read.
 * Confined to the connection's event loop.
 */
final class LatencySampler {
    /** Round trips per sample. */
    static final int EVERY = 8;

    private final ProxyMetrics metrics;
    private final boolean enabled;
    private int skip;
    private boolean active;
    private long started;
    private long flushed;

    LatencySampler(ProxyMetrics metrics) {
        this.metrics = metrics;
        this.enabled = metrics.commandMetrics();
    }

    /** Whether the next forwarded command starts a sample: none in flight, and its turn came. */
    boolean idle() {
        if (!enabled || active) {
            return false;
        }
        if (skip > 0) {
            skip--;
            return false;
        }
        skip = EVERY - 1;
        return true;
    }

    void start() {
        active = true;
        started = System.nanoTime();
        flushed = 0;
    }

    /** The commands read so far went to Redis. */
    void flushed() {
        if (active && flushed == 0) {
            flushed = System.nanoTime();
        }
    }

    /** The sampled command's reply is on its way to the client. */
    void completed() {
        long now = System.nanoTime();
        metrics.commandLatency(now - started, flushed == 0 ? -1 : now - flushed);
        active = false;
    }

    /** The sampled command will get no reply (the connection or Redis went away). */
    void abandon() {
        active = false;
    }
}
