package io.respgate.proxy.posture;

import java.util.List;

/**
 * A check of RespGate's own config. With {@code --upstream} there is no config, and these checks
 * report SKIP instead of silently disappearing from the report.
 *
 * <p>A check of a new config section is one more subclass reading {@link AuditedConfig#config()},
 * listed in {@link PostureChecks#standard()} (as {@link AdminEndpointCheck} is).
 */
abstract class ConfigPostureCheck implements PostureCheck {
    @Override
    public final List<Finding> run(Deployment deployment) {
        if (deployment.respgate().isEmpty()) {
            return List.of(Finding.skip(id(), "not checked: no RespGate config (audit run with --upstream)"));
        }
        return check(deployment.respgate().get());
    }

    /** At least one finding about {@code config}. */
    abstract List<Finding> check(AuditedConfig config);
}
