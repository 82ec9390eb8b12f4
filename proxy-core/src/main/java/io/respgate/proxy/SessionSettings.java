package io.respgate.proxy;

import io.netty.buffer.ByteBuf;
import io.respgate.policy.Gate;

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
 * @param gate               decides every command
 * @param transport          the socket transport, for upstream channels
 */
record SessionSettings(String upstreamHost,
                       int upstreamPort,
                       Duration connectTimeout,
                       ByteBuf upstreamAuth,
                       int maxPendingReplies,
                       Gate gate,
                       Transport transport) {
}
