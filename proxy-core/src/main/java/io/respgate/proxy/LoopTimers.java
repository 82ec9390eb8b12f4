package io.respgate.proxy;

import java.util.Arrays;

/**
 * The one timer of an event loop: every {@link #tickNanos} it notes the time and lets each client
 * session of the loop check its timeouts ({@code limits.auth_timeout}, {@code request_timeout},
 * {@code idle_timeout}, {@code upstream.command_timeout}) against what it recorded. Sessions record
 * activity by reading {@link #now()}, a plain field, once per read batch, so nothing is scheduled,
 * rescheduled or allocated per command or per read. A timeout is therefore noticed up to one tick
 * late and measured from a time up to one tick early; the tick is an eighth of the shortest timeout
 * (10 ms to 1 s).
 *
 * <p>Confined to its event loop: sessions are added and removed on it, and the sweep runs on it.
 */
final class LoopTimers implements Runnable {
    private final long tickNanos;
    private final int index;
    private final BufferedMemory memory;
    private ClientSession[] sessions = new ClientSession[64];
    private int size;
    private long now = System.nanoTime();

    LoopTimers(long tickNanos, int index, BufferedMemory memory) {
        this.tickNanos = tickNanos;
        this.index = index;
        this.memory = memory;
    }

    /** The tick for the given timeouts in nanoseconds (0: off). */
    static long tickFor(long... timeouts) {
        long shortest = Long.MAX_VALUE;
        for (long t : timeouts) {
            if (t > 0) {
                shortest = Math.min(shortest, t);
            }
        }
        long tick = shortest == Long.MAX_VALUE ? 1_000_000_000L : shortest / 8;
        return Math.max(10_000_000L, Math.min(1_000_000_000L, tick));
    }

    long tickNanos() {
        return tickNanos;
    }

    /** The time of the last tick ({@link System#nanoTime()}), at most one tick old. */
    long now() {
        return now;
    }

    int size() {
        return size;
    }

    ClientSession session(int i) {
        return sessions[i];
    }

    void add(ClientSession session) {
        if (session.timerIndex >= 0) {
            return;
        }
        if (size == sessions.length) {
            sessions = Arrays.copyOf(sessions, size * 2);
        }
        session.timerIndex = size;
        sessions[size++] = session;
    }

    void remove(ClientSession session) {
        int i = session.timerIndex;
        if (i < 0) {
            return;
        }
        ClientSession last = sessions[--size];
        sessions[i] = last;
        last.timerIndex = i;
        sessions[size] = null;
        session.timerIndex = -1;
        if (size == 0 && sessions.length > 1024) {
            sessions = new ClientSession[64]; // a burst of connections once must not pin the array
        }
    }

    @Override
    public void run() {
        long t = System.nanoTime();
        now = t;
        // Backwards: a session that closes may be swapped out of its slot by the one from the end,
        // which was visited already.
        for (int i = size - 1; i >= 0; i--) {
            if (i < size) {
                ClientSession session = sessions[i];
                try {
                    session.tick(t);
                } catch (RuntimeException e) {
                    // A periodic task that throws is never run again: keep the timer alive for the
                    // others, and end the connection that failed.
                    ClientSession.log.error("timeout check failed; closing the connection", e);
                    session.abort();
                }
            }
        }
        if (memory.over()) {
            try {
                evictLargest();
            } catch (RuntimeException e) {
                ClientSession.log.error("max_buffered_memory check failed", e);
            }
        }
    }

    /**
     * {@code limits.max_buffered_memory} is exceeded: closes this loop's largest holder if it is the
     * largest of all loops (see {@link BufferedMemory}). Called by the tick, and at once by a session
     * whose report took the total over the limit.
     */
    void evictLargest() {
        ClientSession largest = null;
        long bytes = 0;
        for (int i = 0; i < size; i++) {
            long held = sessions[i].bufferedBytes();
            if (held > bytes) {
                bytes = held;
                largest = sessions[i];
            }
        }
        if (memory.isLargest(index, bytes) && largest != null) {
            largest.evict(memory);
        }
    }
}
