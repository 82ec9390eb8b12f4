package io.respgate.proxy;

import io.netty.util.internal.PlatformDependent;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code limits.max_buffered_memory}: the bytes the proxy holds for all clients together (partial
 * requests, partial replies, replies waiting for a slow client, commands waiting for Redis), as
 * each session last reported them. Sessions report once per read batch and once per timer tick,
 * by adding the change to one shared counter, never per command.
 *
 * <p>Above the limit the connection holding the most is closed, as Redis 7 evicts clients above
 * {@code maxmemory-clients}: pausing everyone's reads instead would let one client that never reads
 * stall them all. Each event loop finds its own largest holder and publishes its size here; the
 * loop whose holder is the largest of all closes it.
 */
final class BufferedMemory {
    private final long limit;
    private final AtomicLong total = new AtomicLong();
    /** The largest holder each loop saw at its last check, by loop index. */
    private final AtomicLongArray largest;

    BufferedMemory(long limit, int loops) {
        this.limit = limit;
        this.largest = new AtomicLongArray(loops);
    }

    /** The limit for {@code configured} bytes, or 3/4 of the JVM's direct memory for {@code AUTO} (0). */
    static long limitFor(long configured) {
        return configured > 0 ? configured : PlatformDependent.maxDirectMemory() / 4 * 3;
    }

    long limit() {
        return limit;
    }

    long total() {
        return total.get();
    }

    /** Adds a session's change; returns whether the total is now above the limit. */
    boolean add(long delta) {
        return total.addAndGet(delta) > limit;
    }

    boolean over() {
        return total.get() > limit;
    }

    /**
     * Publishes loop {@code loop}'s largest holder and says whether it is the one to close: the
     * largest of every loop's last published holder (ties go to the lower loop index).
     */
    boolean isLargest(int loop, long bytes) {
        largest.set(loop, bytes);
        for (int i = 0; i < largest.length(); i++) {
            long other = largest.get(i);
            if (i != loop && (other > bytes || (other == bytes && i < loop))) {
                return false;
            }
        }
        return bytes > 0;
    }
}
