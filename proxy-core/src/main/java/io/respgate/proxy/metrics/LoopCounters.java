package io.respgate.proxy.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The per-command counters of one event loop. Only that loop's thread writes them, so counting is a
 * plain load and store instead of the compare-and-swap of a shared adder; the scrape sums every
 * loop's values. Opaque access keeps a 64-bit value from being read half-written and makes each
 * increment visible to the scraping thread soon after, which is all a counter needs.
 *
 * <p>With {@code metrics.commands: false} there is no per-command array: {@link #forwarded} tests the
 * field it would have loaded anyway and returns.
 */
public final class LoopCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int BYTES_IN = 0;
    private static final int BYTES_OUT = 1;

    private final int otherIndex;
    /** Null when per-command metrics are off. */
    private final long[] forwarded;
    private final long[] bytes = new long[2];

    LoopCounters(int otherIndex, boolean commands) {
        this.otherIndex = otherIndex;
        this.forwarded = commands ? new long[otherIndex + 1] : null;
    }

    /** A command was forwarded; {@code commandId} is its command table id, or -1 when unknown. */
    public void forwarded(int commandId) {
        long[] counts = forwarded;
        if (counts != null) {
            add(counts, commandId >= 0 && commandId < otherIndex ? commandId : otherIndex, 1);
        }
    }

    public void upstreamBytesIn(int count) {
        add(bytes, BYTES_IN, count);
    }

    public void upstreamBytesOut(int count) {
        add(bytes, BYTES_OUT, count);
    }

    long forwardedAt(int index) {
        return (long) LONGS.getOpaque(forwarded, index);
    }

    long bytesIn() {
        return (long) LONGS.getOpaque(bytes, BYTES_IN);
    }

    long bytesOut() {
        return (long) LONGS.getOpaque(bytes, BYTES_OUT);
    }

    private static void add(long[] values, int index, long delta) {
        LONGS.setOpaque(values, index, (long) LONGS.getOpaque(values, index) + delta);
    }
}
