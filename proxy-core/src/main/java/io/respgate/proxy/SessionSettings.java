package io.respgate.proxy;

import io.netty.buffer.ByteBuf;
import io.respgate.proxy.audit.AuditLog;
import io.respgate.proxy.audit.SeenSources;
import io.respgate.proxy.metrics.ProxyMetrics;
import io.respgate.proxy.signals.UpstreamChannels;

import java.util.concurrent.atomic.AtomicLong;
import io.respgate.proxy.tls.UpstreamTls;

import io.netty.util.concurrent.EventExecutor;

import java.time.Duration;
import java.util.Map;

/**
 * What every client session of one server shares: immutable, built once at start-up.
 *
 * @param upstreamHost       where Redis is
 * @param upstreamPort       Redis's port
 * @param connectTimeout     how long an upstream connect may take
 * @param upstreamAuth       the proxy's own AUTH command to Redis as an unreleasable buffer, or
 *                           null when Redis needs none; sessions write duplicates of it
 * @param maxPendingReplies  stop reading a client with this many replies outstanding
 * @param policy             the policy in force, swapped on reload
 * @param lockout            failed-authentication counts per source address
 * @param connections        open connections per user
 * @param transport          the socket transport, for upstream channels
 * @param upstreamTls        TLS to Redis, or null for plaintext
 * @param requireMappedCertificate refuse a client certificate that maps to no user
 * @param metrics            the server's meters
 * @param audit              the audit log (perhaps disabled)
 * @param connectionIds      numbers the connections, for the audit log
 * @param seenSources        users' source addresses seen so far, for "new source" audit events
 * @param upstreamChannels   local addresses of the open upstream connections, for the bypass detector
 * @param limits             the timeouts and reply limits each session enforces
 * @param timers             the timer of each event loop, by loop
 * @param reports            how many refusals and limit closes are logged and audited (a flood in samples)
 * @param backoff            connects to Redis held back after a failure
 * @param memory             bytes buffered for all clients, against {@code limits.max_buffered_memory}
 * @param resolver           looks up the upstream host name off the event loops
 */
record SessionSettings(String upstreamHost,
                       int upstreamPort,
                       Duration connectTimeout,
                       ByteBuf upstreamAuth,
                       int maxPendingReplies,
                       PolicyState policy,
                       AuthLockout lockout,
                       UserConnections connections,
                       Transport transport,
                       UpstreamTls upstreamTls,
                       boolean requireMappedCertificate,
                       ProxyMetrics metrics,
                       AuditLog audit,
                       AtomicLong connectionIds,
                       SeenSources seenSources,
                       UpstreamChannels upstreamChannels,
                       ClientLimits limits,
                       Map<EventExecutor, LoopTimers> timers,
                       ReportBudget reports,
                       UpstreamBackoff backoff,
                       BufferedMemory memory,
                       UpstreamResolver resolver) {
    /** The timer of {@code loop}, one of the server's event loops. */
    LoopTimers timers(EventExecutor loop) {
        LoopTimers t = timers.get(loop);
        if (t == null) {
            throw new IllegalStateException("not one of the server's event loops: " + loop);
        }
        return t;
    }
}
