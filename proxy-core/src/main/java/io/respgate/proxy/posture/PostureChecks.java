package io.respgate.proxy.posture;

import java.util.ArrayList;
import java.util.List;

/** The checklist, in report order: Redis as seen from this host first, then RespGate's own config. */
final class PostureChecks {
    private PostureChecks() {
    }

    static List<PostureCheck> standard() {
        return List.of(
                new UnauthenticatedAccessCheck(),
                new ProxyLoginCheck(),
                new UpstreamTlsCheck(),
                new ProtectedModeCheck(),
                new BindAddressCheck(),
                new RequirepassCheck(),
                new NopassUsersCheck(),
                new AllCommandsUsersCheck(),
                new DangerousCommandsCheck(),
                new DataDirPermissionsCheck(),
                new RedisRunsAsRootCheck(),
                // RespGate's own config: each a ConfigPostureCheck, reported as SKIP without --config.
                new ListenerTlsCheck(),
                new AnonymousClientsCheck(),
                new GuardrailWideningCheck(),
                new PolicyLintCheck(),
                new SecretFilePermissionsCheck(),
                new AdminEndpointCheck());
    }

    /**
     * Runs every check. A check that throws is a bug, not a finding about the deployment; it is
     * reported as a WARN naming the check rather than ending the audit without a report.
     */
    static List<Finding> run(List<PostureCheck> checks, Deployment deployment) {
        List<Finding> out = new ArrayList<>();
        for (PostureCheck check : checks) {
            try {
                out.addAll(check.run(deployment));
            } catch (RuntimeException e) {
                out.add(Finding.warn(check.id(), "the check failed: " + e.getClass().getSimpleName(),
                        "report this as a bug in RespGate"));
            }
        }
        return out;
    }
}
