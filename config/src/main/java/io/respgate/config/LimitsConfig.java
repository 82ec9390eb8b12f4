package io.respgate.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Protocol limits (checked by the request decoder before anything is allocated) and per-client
 * back-pressure limits.
 *
 * @param maxArguments      most arguments in one request (Redis: 1024*1024)
 * @param maxBulkLength     longest bulk string argument in bytes (Redis {@code proto-max-bulk-len}: 512mb)
 * @param maxInlineLength   longest inline request line in bytes (Redis: 64kb)
 * @param maxPendingReplies per client: stop reading the client while this many replies are outstanding
 * @param maxPendingBytes   per client: stop reading the client while this many reply bytes are buffered
 * @param drainTimeout      on shutdown, how long in-flight replies may drain before connections close
 */
public record LimitsConfig(int maxArguments, long maxBulkLength, int maxInlineLength,
                           int maxPendingReplies, long maxPendingBytes, Duration drainTimeout) {
    public static final int DEFAULT_MAX_ARGUMENTS = 1024 * 1024;
    public static final long DEFAULT_MAX_BULK_LENGTH = 512L * 1024 * 1024;
    public static final int DEFAULT_MAX_INLINE_LENGTH = 64 * 1024;
    public static final int DEFAULT_MAX_PENDING_REPLIES = 1024 * 1024;
    public static final long DEFAULT_MAX_PENDING_BYTES = 8L * 1024 * 1024;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    public LimitsConfig {
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        if (maxArguments < 1 || maxBulkLength < 1 || maxInlineLength < 1
                || maxPendingReplies < 1 || maxPendingBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drain timeout must not be negative");
        }
    }

    /** Redis's own defaults for the protocol limits, plus the documented back-pressure defaults. */
    public static LimitsConfig defaults() {
        return new LimitsConfig(DEFAULT_MAX_ARGUMENTS, DEFAULT_MAX_BULK_LENGTH, DEFAULT_MAX_INLINE_LENGTH,
                DEFAULT_MAX_PENDING_REPLIES, DEFAULT_MAX_PENDING_BYTES, DEFAULT_DRAIN_TIMEOUT);
    }
}
