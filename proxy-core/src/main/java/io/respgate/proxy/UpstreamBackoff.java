package io.respgate.proxy;

import io.netty.channel.ConnectTimeoutException;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backs off connecting to Redis after a connect fails, so that a storm of clients against a dead
 * Redis does not become a storm of connects (nor, for a host name, of blocking DNS look-ups on the
 * event loops). After a failure, sign-ins that need a new upstream connection fail at once with the
 * same error for {@link #INITIAL_NANOS}, doubling with each further failure up to
 * {@link #MAX_NANOS}; when the window ends one connect (the probe) is let through while the others
 * go on failing fast, and its success ends the backoff for everyone.
 *
 * <p>Only the first failure and failed probes lengthen the window: connects already under way when
 * Redis went down fail too, but they are the same outage. Shared by every event loop; touched once
 * per upstream connect, never per command.
 */
final class UpstreamBackoff {
    static final long INITIAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** What {@link #admit()} allows. */
    enum Admission { CONNECT, PROBE, FAIL_FAST }

    /** Why a connect failed, with the error a client gets for it (built once). */
    enum Failure {
        REFUSED("connection refused"),
        DNS("host name not resolved"),
        TIMEOUT("connect timeout"),
        TLS("TLS handshake failed"),
        OTHER("connection failed");

        final String error;

        Failure(String what) {
            this.error = "ERR upstream unavailable: RespGate could not reach Redis (" + what + ")";
        }

        static Failure of(Throwable cause) {
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof UnknownHostException) {
                    return DNS;
                }
                if (t instanceof ConnectTimeoutException) {
                    return TIMEOUT;
                }
                if (t instanceof SSLException) {
                    return TLS;
                }
                if (t instanceof ConnectException) {
                    return REFUSED;
                }
            }
            return OTHER;
        }
    }

    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicLong retryAt = new AtomicLong();
    private final AtomicLong window = new AtomicLong();
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile Failure last = Failure.OTHER;

    /** Whether a connect may start now. */
    Admission admit() {
        if (failures.get() == 0) {
            return Admission.CONNECT;
        }
        if (System.nanoTime() - retryAt.get() < 0) {
            return Admission.FAIL_FAST;
        }
        return probing.compareAndSet(false, true) ? Admission.PROBE : Admission.FAIL_FAST;
    }

    /** The failure of the last connect, for clients that fail fast. */
    Failure lastFailure() {
        return last;
    }

    void succeeded(boolean probe) {
        failures.set(0);
        window.set(0);
        if (probe) {
            probing.set(false);
        }
    }

    /**
     * Records a failed connect. Returns the window now in force, in nanoseconds, when this failure
     * started or lengthened it, else 0 (a connect of the same outage that was already under way).
     */
    long failed(Failure failure, boolean probe) {
        last = failure;
        long now = System.nanoTime();
        try {
            if (!probe && failures.get() > 0) {
                return 0;
            }
            int n = failures.incrementAndGet();
            long delay = n >= 7 ? MAX_NANOS : Math.min(MAX_NANOS, INITIAL_NANOS << (n - 1));
            window.set(delay);
            retryAt.set(now + delay);
            return delay;
        } finally {
            if (probe) {
                probing.set(false);
            }
        }
    }

    /** The length of the backoff window in force, in seconds; 0 when Redis was reached last time. */
    double windowSeconds() {
        return window.get() / 1e9;
    }
}
