package io.respgate.proxy.signals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Polling and meter reading for the watch tests. */
final class Waiting {
    private Waiting() {
    }

    static void waitFor(BooleanSupplier condition, Duration timeout, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what.get());
            }
            Thread.sleep(25);
        }
    }

    static double counter(MeterRegistry registry, String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    static double gauge(MeterRegistry registry, String name) {
        Gauge g = registry.find(name).gauge();
        return g == null ? Double.NaN : g.value();
    }

    static double checks(MeterRegistry registry) {
        return counter(registry, WatchMetrics.CHECKS);
    }

    /** Waits until {@code n} more checks have completed. */
    static void checksPass(MeterRegistry registry, int n) throws InterruptedException {
        double target = checks(registry) + n;
        waitFor(() -> checks(registry) >= target, Duration.ofSeconds(3L * n + 3), () -> n + " more checks");
    }
}
