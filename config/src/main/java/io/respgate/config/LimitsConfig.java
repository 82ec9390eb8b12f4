package io.respgate.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Protocol limits (checked by the request decoder before anything is allocated), per-client
 * back-pressure limits, connection limits, client timeouts and memory bounds. Where a limit has a
 * Redis counterpart its default is Redis's.
 *
 * @param maxArguments      most arguments in one request (Redis: 1024*1024)
 * @param maxBulkLength     longest bulk string argument in bytes (Redis {@code proto-max-bulk-len}: 512mb)
 * @param maxInlineLength   longest inline request line in bytes (Redis: 64kb)
 * @param maxPendingReplies per client: stop reading the client while this many replies are outstanding
 * @param maxPendingBytes   per client: stop reading the client while this many reply bytes are buffered
 * @param drainTimeout      on shutdown, how long in-flight replies may drain before connections close
 * @param maxClients        client connections open at once (Redis {@code maxclients}: 10000); one more
 *                          gets {@code -ERR max number of clients reached} and is closed
 * @param maxConnectionsPerSource client connections open at once from one IP address; 0 = no limit
 * @param authTimeout       a connection that has not signed in this long after it was accepted is
 *                          closed; {@link Duration#ZERO} = off
 * @param requestTimeout    a request that is started but not complete this long is refused and the
 *                          connection closed; every {@link #REQUEST_PROGRESS_BYTES} received start the
 *                          count again, so a large upload on a slow link passes; zero = off
 * @param idleTimeout       Redis's {@code timeout}: a client idle this long is closed, unless it is
 *                          subscribed or waits for a reply; zero = off (Redis's default)
 * @param maxReplyDepth     deepest nesting of a reply relayed from Redis
 * @param maxReplyBulkLength longest bulk string in a reply relayed from Redis
 * @param maxReplySize      largest single reply (one top-level frame, which the proxy holds whole
 *                          before relaying it) relayed from Redis
 * @param maxBufferedMemory bytes buffered for all clients together (partial requests, partial
 *                          replies, replies waiting for slow clients) above which the connection
 *                          holding the most is closed; {@link #AUTO} = 3/4 of the direct memory the
 *                          JVM allows
 */
public record LimitsConfig(int maxArguments, long maxBulkLength, int maxInlineLength,
                           int maxPendingReplies, long maxPendingBytes, Duration drainTimeout,
                           int maxClients, int maxConnectionsPerSource,
                           Duration authTimeout, Duration requestTimeout, Duration idleTimeout,
                           int maxReplyDepth, long maxReplyBulkLength, long maxReplySize,
                           long maxBufferedMemory) {
    public static final int DEFAULT_MAX_ARGUMENTS = 1024 * 1024;
    public static final long DEFAULT_MAX_BULK_LENGTH = 512L * 1024 * 1024;
    public static final int DEFAULT_MAX_INLINE_LENGTH = 64 * 1024;
    public static final int DEFAULT_MAX_PENDING_REPLIES = 1024 * 1024;
    public static final long DEFAULT_MAX_PENDING_BYTES = 8L * 1024 * 1024;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);
    /** Redis's {@code maxclients} default. */
    public static final int DEFAULT_MAX_CLIENTS = 10_000;
    /** No per-address limit: behind NAT, a load balancer or one big application host, many legitimate clients share an address. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 0;
    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Redis's {@code timeout} default: idle clients are never closed. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ZERO;
    public static final int DEFAULT_MAX_REPLY_DEPTH = 512;
    /** Redis's {@code proto-max-bulk-len} default, the largest string value Redis holds unless told otherwise. */
    public static final long DEFAULT_MAX_REPLY_BULK_LENGTH = 512L * 1024 * 1024;
    public static final long DEFAULT_MAX_REPLY_SIZE = 1024L * 1024 * 1024;
    /** The reply scanner works with int offsets: no reply frame can be larger than this. */
    public static final long MAX_REPLY_SIZE_LIMIT = Integer.MAX_VALUE - 1;
    /** {@code max_buffered_memory: auto}: 3/4 of the direct memory the JVM allows. */
    public static final long AUTO = 0;
    public static final long DEFAULT_MAX_BUFFERED_MEMORY = AUTO;
    /** A partial request that grows by this much has made progress: its request timeout starts again. */
    public static final int REQUEST_PROGRESS_BYTES = 64 * 1024;

    public LimitsConfig {
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(authTimeout, "authTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxArguments < 1 || maxBulkLength < 1 || maxInlineLength < 1
                || maxPendingReplies < 1 || maxPendingBytes < 1 || maxClients < 1
                || maxReplyDepth < 1 || maxReplyBulkLength < 1 || maxReplySize < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (maxConnectionsPerSource < 0 || maxBufferedMemory < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
        if (maxReplySize > MAX_REPLY_SIZE_LIMIT) {
            throw new IllegalArgumentException("max reply size must be below 2 GiB");
        }
        if (drainTimeout.isNegative() || authTimeout.isNegative() || requestTimeout.isNegative()
                || idleTimeout.isNegative()) {
            throw new IllegalArgumentException("timeouts must not be negative");
        }
    }

    /** The protocol and back-pressure limits given, everything else at its default. */
    public LimitsConfig(int maxArguments, long maxBulkLength, int maxInlineLength,
                        int maxPendingReplies, long maxPendingBytes, Duration drainTimeout) {
        this(maxArguments, maxBulkLength, maxInlineLength, maxPendingReplies, maxPendingBytes, drainTimeout,
                DEFAULT_MAX_CLIENTS, DEFAULT_MAX_CONNECTIONS_PER_SOURCE, DEFAULT_AUTH_TIMEOUT,
                DEFAULT_REQUEST_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_REPLY_DEPTH,
                DEFAULT_MAX_REPLY_BULK_LENGTH, DEFAULT_MAX_REPLY_SIZE, DEFAULT_MAX_BUFFERED_MEMORY);
    }

    /** Redis's own defaults for the protocol limits, plus the documented defaults of the others. */
    public static LimitsConfig defaults() {
        return new LimitsConfig(DEFAULT_MAX_ARGUMENTS, DEFAULT_MAX_BULK_LENGTH, DEFAULT_MAX_INLINE_LENGTH,
                DEFAULT_MAX_PENDING_REPLIES, DEFAULT_MAX_PENDING_BYTES, DEFAULT_DRAIN_TIMEOUT);
    }

    /** The same limits with {@code max_clients} and {@code max_connections_per_source} replaced. */
    public LimitsConfig withConnectionLimits(int clients, int perSource) {
        return new LimitsConfig(maxArguments, maxBulkLength, maxInlineLength, maxPendingReplies, maxPendingBytes,
                drainTimeout, clients, perSource, authTimeout, requestTimeout, idleTimeout, maxReplyDepth,
                maxReplyBulkLength, maxReplySize, maxBufferedMemory);
    }

    /** The same limits with the three client timeouts replaced. */
    public LimitsConfig withTimeouts(Duration auth, Duration request, Duration idle) {
        return new LimitsConfig(maxArguments, maxBulkLength, maxInlineLength, maxPendingReplies, maxPendingBytes,
                drainTimeout, maxClients, maxConnectionsPerSource, auth, request, idle, maxReplyDepth,
                maxReplyBulkLength, maxReplySize, maxBufferedMemory);
    }

    /** The same limits with the reply limits replaced. */
    public LimitsConfig withReplyLimits(int depth, long bulkLength, long size) {
        return new LimitsConfig(maxArguments, maxBulkLength, maxInlineLength, maxPendingReplies, maxPendingBytes,
                drainTimeout, maxClients, maxConnectionsPerSource, authTimeout, requestTimeout, idleTimeout, depth,
                bulkLength, size, maxBufferedMemory);
    }

    /** The same limits with {@code max_buffered_memory} replaced ({@link #AUTO} for auto). */
    public LimitsConfig withMaxBufferedMemory(long bytes) {
        return new LimitsConfig(maxArguments, maxBulkLength, maxInlineLength, maxPendingReplies, maxPendingBytes,
                drainTimeout, maxClients, maxConnectionsPerSource, authTimeout, requestTimeout, idleTimeout,
                maxReplyDepth, maxReplyBulkLength, maxReplySize, bytes);
    }
}
