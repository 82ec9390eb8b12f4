package io.respgate.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The whole proxy configuration, as read from {@code respgate.yaml}. Immutable; a reload builds a
 * new instance.
 *
 * @param listen   where the proxy accepts client connections
 * @param upstream the Redis server the proxy forwards to, and the proxy's own credentials for it
 * @param limits   protocol and per-client resource limits
 * @param policy   where the policy file is; empty when the config has no {@code policy} section
 *                 (the proxy must then refuse to start, fail closed, unless it brings its own policy)
 */
public record RespGateConfig(ListenConfig listen, UpstreamConfig upstream, LimitsConfig limits,
                             Optional<PolicyConfig> policy) {
    public RespGateConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(policy, "policy");
    }

    /** A config without a policy section. */
    public RespGateConfig(ListenConfig listen, UpstreamConfig upstream, LimitsConfig limits) {
        this(listen, upstream, limits, Optional.empty());
    }
}
