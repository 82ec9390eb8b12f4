package io.respgate.proxy.posture;

/**
 * The verdict of one finding, ordered from best to worst so the worst finding of a run decides
 * the exit code.
 */
public enum Status {
    /** The deployment meets the check. */
    PASS,
    /**
     * The check did not run (no RespGate config with {@code --upstream}, Redis not on this host, no
     * session to Redis). Says so explicitly, so a missing line is never mistaken for a pass; it does
     * not raise the exit code.
     */
    SKIP,
    /** Weaker than it should be, or it could not be verified. */
    WARN,
    /** Exposed: fix before trusting the deployment. */
    FAIL;

    /** The worse of the two. */
    public Status worse(Status other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
