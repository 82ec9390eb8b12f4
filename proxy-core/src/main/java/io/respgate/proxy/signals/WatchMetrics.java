package io.respgate.proxy.signals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The watch's meters. Tag values are bounded: {@code setting} is one of {@link DriftTracker#SETTINGS}
 * or {@code acl}; {@code reason} and {@code command} come from {@link UpstreamWatch.Kind} and a few
 * fixed words.
 */
final class WatchMetrics {
    static final String BYPASS_CONNECTIONS = "respgate.upstream.bypass.connections";
    static final String BYPASS_DETECTED = "respgate.upstream.bypass.detected";
    static final String DRIFT = "respgate.upstream.drift";
    static final String ERRORS = "respgate.upstream.watch.errors";
    static final String CHECKS = "respgate.upstream.watch.checks";

    private final MeterRegistry registry;
    private final AtomicInteger bypassNow = new AtomicInteger();
    private final Counter bypassDetected;
    private final Counter checks;
    private final Map<String, Counter> drift = new HashMap<>();

    WatchMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(BYPASS_CONNECTIONS, bypassNow, AtomicInteger::get).strongReference(true)
                .description("Connections to Redis that bypass RespGate, as seen by the last check")
                .register(registry);
        bypassDetected = Counter.builder(BYPASS_DETECTED)
                .description("Connections to Redis that bypass RespGate, each counted once when first seen")
                .register(registry);
        checks = Counter.builder(CHECKS)
                .description("Checks of Redis by the upstream watch that signed in and ran")
                .register(registry);
        for (String setting : DriftTracker.SETTINGS) {
            drift.put(setting, driftCounter(setting));
        }
        drift.put(DriftTracker.ACL, driftCounter(DriftTracker.ACL));
    }

    private Counter driftCounter(String setting) {
        return Counter.builder(DRIFT).tag("setting", setting)
                .description("Changes of security-relevant Redis settings and users, by setting")
                .register(registry);
    }

    void bypassNow(int count) {
        bypassNow.set(count);
    }

    void bypassDetected() {
        bypassDetected.increment();
    }

    void checked() {
        checks.increment();
    }

    void drift(String setting) {
        Counter counter = drift.get(setting);
        if (counter != null) {
            counter.increment();
        }
    }

    void error(String reason, String command) {
        Counter.builder(ERRORS).tag("reason", reason).tag("command", command)
                .description("Checks of Redis by the upstream watch that failed, in whole or in part")
                .register(registry).increment();
    }
}
