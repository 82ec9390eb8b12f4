package io.respgate.policy.acl;

/**
 * A rule string that Redis's {@code ACL SETUSER} would reject, or that RespGate refuses (plaintext
 * passwords). The message names the offending rule and says why, in Redis's words where Redis has
 * them; it never contains a password.
 */
public final class AclRuleException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String rule;

    AclRuleException(String rule, String reason) {
        super(rule == null ? reason : "Error in ACL rule '" + rule + "': " + reason);
        this.rule = rule;
    }

    /** The offending rule as shown in the message (secrets redacted), or null if none applies. */
    public String rule() {
        return rule;
    }
}
