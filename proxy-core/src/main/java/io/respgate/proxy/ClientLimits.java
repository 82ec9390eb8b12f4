package io.respgate.proxy;

import io.respgate.config.LimitsConfig;
import io.respgate.config.UpstreamConfig;

import java.time.Duration;

/**
 * The per-connection limits a session enforces itself, in the units it uses, with their error
 * texts built once.
 *
 * @param authNanos       {@code limits.auth_timeout}; 0 = off
 * @param requestNanos    {@code limits.request_timeout}; 0 = off
 * @param idleNanos       {@code limits.idle_timeout}; 0 = off
 * @param commandNanos    {@code upstream.command_timeout}; 0 = off
 * @param maxReplyDepth   {@code limits.max_reply_depth}
 * @param maxReplyBulk    {@code limits.max_reply_bulk_length}
 * @param maxReplySize    {@code limits.max_reply_size}
 * @param blocking        which commands block in Redis, and for how long
 */
record ClientLimits(long authNanos, long requestNanos, long idleNanos, long commandNanos,
                    int maxReplyDepth, long maxReplyBulk, long maxReplySize, BlockingCommands blocking,
                    String authTimeoutError, String requestTimeoutError, String upstreamTimeoutError) {

    static ClientLimits of(LimitsConfig limits, UpstreamConfig upstream, BlockingCommands blocking) {
        return new ClientLimits(limits.authTimeout().toNanos(), limits.requestTimeout().toNanos(),
                limits.idleTimeout().toNanos(), upstream.commandTimeout().toNanos(), limits.maxReplyDepth(),
                limits.maxReplyBulkLength(), limits.maxReplySize(), blocking,
                "ERR authentication timeout: no AUTH within " + text(limits.authTimeout())
                        + " of connecting (limits.auth_timeout)",
                "ERR request timeout: the request was not complete within " + text(limits.requestTimeout())
                        + " (limits.request_timeout)",
                "ERR upstream timeout: Redis did not answer within " + text(upstream.commandTimeout())
                        + " (upstream.command_timeout); connection closed");
    }

    /** The tick of the loop timers for these timeouts. */
    long tickNanos() {
        return LoopTimers.tickFor(authNanos, requestNanos, idleNanos, commandNanos);
    }

    private static String text(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
