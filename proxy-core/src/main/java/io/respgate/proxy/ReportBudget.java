package io.respgate.proxy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * At most {@code perWindow} detailed reports (a log line, an audit line) per window, so that a flood
 * of refused connections cannot flood the logs or, through the audit log's bounded queue, block an
 * event loop on the disk. Events beyond the budget are only counted (metrics count every one) and
 * the next report says how many were not reported.
 */
final class ReportBudget {
    /** Returned by {@link #tryReport()} when this event is not to be reported. */
    static final long SILENT = -1;

    private final long windowNanos;
    private final int perWindow;
    private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    ReportBudget(int perWindow, long windowNanos) {
        this.perWindow = perWindow;
        this.windowNanos = windowNanos;
    }

    /** {@link #SILENT}, or the number of events left unreported since the last report (to be mentioned). */
    long tryReport() {
        long now = System.nanoTime();
        long start = windowStart.get();
        if (now - start >= windowNanos && windowStart.compareAndSet(start, now)) {
            used.set(0);
        }
        if (used.incrementAndGet() > perWindow) {
            suppressed.incrementAndGet();
            return SILENT;
        }
        return suppressed.getAndSet(0);
    }
}
