package io.respgate.proxy.posture;

import io.respgate.policy.PolicyLint;

import java.util.ArrayList;
import java.util.List;

/**
 * The rest of {@code respgate check}'s policy lint (users allowed every command or every key,
 * users without a usable password, scripts without an allow-list, ...): least privilege for the
 * clients behind the proxy. Guardrail widenings have their own check.
 */
final class PolicyLintCheck extends ConfigPostureCheck {
    static final String ID = "respgate-policy-lint";

    @Override
    public String id() {
        return ID;
    }

    @Override
    List<Finding> check(AuditedConfig config) {
        List<String> warnings = new ArrayList<>(PolicyLint.lint(config.policy()));
        warnings.removeAll(config.policy().guardrails().lint());
        if (warnings.isEmpty()) {
            return List.of(Finding.pass(ID, "the policy lint finds nothing (" + config.policy().userCount()
                    + " users)"));
        }
        return warnings.stream().map(w -> Finding.warn(ID, w, "narrow the user's rules in the policy file to"
                + " what the application needs (see bin/respgate check)")).toList();
    }
}
