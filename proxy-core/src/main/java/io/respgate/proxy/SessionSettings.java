package io.respgate.proxy;

import io.netty.buffer.ByteBuf;
import io.respgate.proxy.audit.AuditLog;
import io.respgate.proxy.audit.SeenSources;
import io.respgate.proxy.metrics.ProxyMetrics;
import io.respgate.proxy.signals.UpstreamChannels;

import java.util.concurrent.atomic.AtomicLong;
import io.respgate.proxy.tls.UpstreamTls;

import java.time.Duration;

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
                       UpstreamChannels upstreamChannels) {
}
