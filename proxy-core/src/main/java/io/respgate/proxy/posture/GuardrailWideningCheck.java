package io.respgate.proxy.posture;

import java.util.List;

/**
 * Which of the default guardrails the policy lifts. Each lifted entry is a dangerous command that
 * any user with the matching ACL right can now run through RespGate.
 */
final class GuardrailWideningCheck extends ConfigPostureCheck {
    static final String ID = "respgate-guardrails";

    @Override
    public String id() {
        return ID;
    }

    @Override
    List<Finding> check(AuditedConfig config) {
        List<String> widenings = config.policy().guardrails().lint();
        if (widenings.isEmpty()) {
            return List.of(Finding.pass(ID, "the policy lifts none of the default guardrails ("
                    + config.policy().guardrails().entries().size() + " entries in force)"));
        }
        return widenings.stream().map(w -> Finding.warn(ID, w, "remove the entry from guardrails.allow in the"
                + " policy file unless a client really needs it; run it by hand against Redis instead")).toList();
    }
}
