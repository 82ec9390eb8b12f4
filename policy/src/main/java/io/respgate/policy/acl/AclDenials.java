package io.respgate.policy.acl;

import io.respgate.policy.command.CommandSpec;

/** The error texts Redis 7.0 sends to a client for an ACL denial (without the leading {@code -}). */
public final class AclDenials {
    static final String KEYS = "NOPERM this user has no permissions to access one of the keys used as arguments";
    static final String CHANNELS =
            "NOPERM this user has no permissions to access one of the channels used as arguments";

    private AclDenials() {
    }

    /**
     * The reply text for a denial, as Redis 7.0's {@code processCommand} words it, for example
     * {@code NOPERM this user has no permissions to run the 'config|set' command}. A malformed
     * command, whose keys could not be determined, is reported like a key denial.
     *
     * @throws IllegalArgumentException for {@link AclVerdict#ALLOWED}
     */
    public static String message(AclVerdict verdict, CommandSpec spec) {
        switch (verdict.kind()) {
            case COMMAND:
                return "NOPERM this user has no permissions to run the '" + spec.name() + "' command";
            case KEY:
            case MALFORMED:
                return KEYS;
            case CHANNEL:
                return CHANNELS;
            default:
                throw new IllegalArgumentException("not a denial: " + verdict);
        }
    }
}
