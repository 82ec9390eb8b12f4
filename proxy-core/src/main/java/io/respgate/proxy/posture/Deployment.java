package io.respgate.proxy.posture;

import io.respgate.config.UpstreamConfig;

import java.util.Objects;
import java.util.Optional;

/**
 * Everything the checks judge: where Redis is and how RespGate reaches it, what was learned from
 * Redis, and RespGate's own config when the audit was given one.
 *
 * @param upstream  Redis's address, TLS settings and RespGate's credentials (never printed)
 * @param redis     what Redis answered
 * @param respgate  RespGate's config and policy; empty with {@code --upstream}
 */
record Deployment(UpstreamConfig upstream, RedisFacts redis, Optional<AuditedConfig> respgate) {
    Deployment {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(respgate, "respgate");
    }

    /**
     * The Redis ACL user RespGate's connections are. RespGate sends {@code AUTH} only when it has a
     * password; without one its connections are {@code default}, whatever {@code upstream.username} says.
     */
    String proxyUser() {
        return Credentials.effectiveUser(upstream.username(), upstream.password().isPresent());
    }

    /** {@code host:port} of Redis, IPv6 in brackets. */
    String redisAddress() {
        return Addresses.hostPort(upstream.host(), upstream.port());
    }
}
