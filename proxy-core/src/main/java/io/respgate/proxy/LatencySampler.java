package io.respgate.proxy;

import io.respgate.proxy.metrics.ProxyMetrics;

/**
 * Times one forwarded command at a time per connection: from its decoding to its reply leaving
 * for the client (the round trip), and from the flush towards Redis to that moment (the upstream
 * part). Their difference is the proxy's own share. One sample in flight keeps the cost to two
 * clock reads per round trip, however deep the pipeline. Confined to the connection's event loop.
 */
final class LatencySampler {
    private final ProxyMetrics metrics;
    private boolean active;
    private long started;
    private long flushed;

    LatencySampler(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    /** Whether no sample is in flight, so the next forwarded command may start one. */
    boolean idle() {
        return !active;
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
