package io.respgate.config;

/**
 * {@code metrics}: what the proxy measures, whether or not an admin endpoint exports it.
 *
 * @param commands the per-command meters: {@code respgate_commands_total} with the outcomes
 *                 {@code forwarded} and {@code error}, and the sampled latency histograms
 *                 {@code respgate_command_duration_seconds} and
 *                 {@code respgate_command_upstream_duration_seconds}. {@code false} takes them off
 *                 the hot path and out of {@code /metrics}. Denials ({@code outcome="denied"} and
 *                 {@code "would_deny"}, {@code respgate_denials_total}, guardrail hits) and the
 *                 connection-level meters stay: they are security signals and cost nothing on an
 *                 allowed command.
 */
public record MetricsConfig(boolean commands) {
    public static final MetricsConfig DEFAULT = new MetricsConfig(true);

    /** Every meter on. */
    public static MetricsConfig defaults() {
        return DEFAULT;
    }
}
