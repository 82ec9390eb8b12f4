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
 * @param admin    the HTTP endpoint for metrics, health and reloads; empty when not configured
 * @param audit    the structured audit log; empty when not configured
 * @param metrics  which meters are kept ({@code metrics.commands}); every one by default
 */
public record RespGateConfig(ListenConfig listen, UpstreamConfig upstream, LimitsConfig limits,
                             Optional<PolicyConfig> policy, Optional<AdminConfig> admin, Optional<AuditConfig> audit,
                             MetricsConfig metrics) {
    public RespGateConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** A config with every meter on. */
    public RespGateConfig(ListenConfig listen, UpstreamConfig upstream, LimitsConfig limits,
                          Optional<PolicyConfig> policy, Optional<AdminConfig> admin, Optional<AuditConfig> audit) {
        this(listen, upstream, limits, policy, admin, audit, MetricsConfig.defaults());
    }

    /** A config without an audit log. */
    public RespGateConfig(ListenConfig listen, UpstreamConfig upstream, LimitsConfig limits,
                          Optional<PolicyConfig> policy, Optional<AdminConfig> admin) {
        this(listen, upstream, limits, policy, admin, Optional.empty());
    }

    /** A config without an admin endpoint. */
    public RespGateConfig(ListenConfig listen, UpstreamConfig upstream, LimitsConfig limits,
                          Optional<PolicyConfig> policy) {
        this(listen, upstream, limits, policy, Optional.empty(), Optional.empty());
    }

    /** The same config with an admin endpoint. */
    public RespGateConfig withAdmin(AdminConfig adminConfig) {
        return new RespGateConfig(listen, upstream, limits, policy, Optional.of(adminConfig), audit, metrics);
    }

    /** The same config with an audit log. */
    public RespGateConfig withAudit(AuditConfig auditConfig) {
        return new RespGateConfig(listen, upstream, limits, policy, admin, Optional.of(auditConfig), metrics);
    }

    /** The same config with other {@code metrics} settings. */
    public RespGateConfig withMetrics(MetricsConfig metricsConfig) {
        return new RespGateConfig(listen, upstream, limits, policy, admin, audit, metricsConfig);
    }

    /** A config without a policy section. */
    public RespGateConfig(ListenConfig listen, UpstreamConfig upstream, LimitsConfig limits) {
        this(listen, upstream, limits, Optional.empty());
    }
}
