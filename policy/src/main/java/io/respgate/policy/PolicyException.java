package io.respgate.policy;

/**
 * A policy that cannot be compiled: a bad ACL string, an unknown command in a rule, a bad CIDR, a
 * bad script hash, a guardrail entry that names nothing. {@link #path()} says where, relative to
 * the element being compiled (for example {@code acl} or {@code deny_args[2].command}); the message
 * names the user, key or rule token and never contains a secret.
 */
public final class PolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final String problem;

    /**
     * @param path    where the problem is, dotted, relative to what was compiled; empty if nowhere in particular
     * @param problem what is wrong
     */
    public PolicyException(String path, String problem) {
        super(path == null || path.isEmpty() ? problem : path + ": " + problem);
        this.path = path == null ? "" : path;
        this.problem = problem;
    }

    /** Where the problem is (dotted path relative to the compiled element), or empty. */
    public String path() {
        return path;
    }

    /** The problem without the path. */
    public String problem() {
        return problem;
    }
}
