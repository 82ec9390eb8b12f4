package io.respgate.config;

import java.util.Objects;

/**
 * The whole proxy configuration, as read from {@code respgate.yaml}. Immutable; a reload builds a
 * new instance.
 *
 * @param listen   where the proxy accepts client connections
 * @param upstream the Redis server the proxy forwards to, and the proxy's own credentials for it
 * @param limits   protocol and per-client resource limits
 */
public record RespGateConfig(ListenConfig listen, UpstreamConfig upstream, LimitsConfig limits) {
    public RespGateConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(limits, "limits");
    }
}
