package io.respgate.proxy.cli;

import io.netty.util.ResourceLeakDetector;

/**
 * The level of Netty's buffer leak detector for the {@code respgate} process. Netty samples about one
 * buffer in 128 by default and records a stack trace for each; on the proxy's hot path that was 8-10%
 * of its user-space CPU (a profile of GET at 50 clients, pipeline 16), for a report that only matters
 * when a release is missing. The tests run every buffer under {@code paranoid} detection, so the
 * process turns it off unless the operator asks for it with {@code -Dio.netty.leakDetection.level}.
 */
final class LeakDetection {
    static final String PROPERTY = "io.netty.leakDetection.level";
    /** The name Netty 4.0 used, still honoured by Netty. */
    static final String LEGACY_PROPERTY = "io.netty.leakDetectionLevel";

    private LeakDetection() {
    }

    /** Applies {@link #levelFor} to the running JVM, before the first buffer is allocated. */
    static void configure() {
        ResourceLeakDetector.setLevel(levelFor(System.getProperty(PROPERTY), System.getProperty(LEGACY_PROPERTY)));
    }

    /** What the operator set, or {@code DISABLED} when neither property is set. */
    static ResourceLeakDetector.Level levelFor(String configured, String legacy) {
        String value = configured != null ? configured : legacy;
        if (value == null) {
            return ResourceLeakDetector.Level.DISABLED;
        }
        String name = value.trim();
        for (ResourceLeakDetector.Level level : ResourceLeakDetector.Level.values()) {
            if (name.equalsIgnoreCase(level.name()) || name.equals(String.valueOf(level.ordinal()))) {
                return level;
            }
        }
        return ResourceLeakDetector.Level.SIMPLE; // what Netty makes of a value it does not know
    }
}
