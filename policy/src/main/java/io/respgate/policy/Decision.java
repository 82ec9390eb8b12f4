package io.respgate.policy;

/**
 * The Gate's answer for one command: allow, or deny with the error line the client receives and
 * the id of the rule that decided.
 *
 * @param allowed whether the command may be forwarded
 * @param error   for a denial, the reply text after the leading {@code -} (for example
 *                {@code NOPERM this user has no permissions to run the 'flushall' command}); null when allowed
 * @param ruleId  the id of the deciding rule, for audit and {@code explain}; null when no rule decided
 */
public record Decision(boolean allowed, String error, String ruleId) {
    /** The shared answer for an allowed command; allowing allocates nothing. */
    public static final Decision ALLOW = new Decision(true, null, null);

    public Decision {
        if (!allowed && (error == null || error.isEmpty())) {
            throw new IllegalArgumentException("a denial needs an error text");
        }
    }

    public static Decision deny(String error, String ruleId) {
        return new Decision(false, error, ruleId);
    }
}
