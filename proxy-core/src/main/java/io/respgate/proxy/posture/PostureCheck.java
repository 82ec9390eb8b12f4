package io.respgate.proxy.posture;

import java.util.List;

/**
 * One item of the security checklist. A check reads what was gathered about the deployment and
 * judges it; it does not talk to Redis itself, so it can be tested with hand-made facts. Problems
 * in the deployment (no permission, no connection, an unreadable file) are findings, never
 * exceptions.
 */
interface PostureCheck {
    /** The id every finding of this check carries: {@code redis-...} or {@code respgate-...}. */
    String id();

    /** At least one finding. */
    List<Finding> run(Deployment deployment);
}
