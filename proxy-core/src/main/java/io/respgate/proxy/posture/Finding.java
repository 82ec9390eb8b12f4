package io.respgate.proxy.posture;

import java.util.Objects;

/**
 * One line of the posture report. Texts are built by the checks from names, paths and settings,
 * never from a secret.
 *
 * @param id      the check that found it, e.g. {@code redis-protected-mode}; one check may report
 *                several findings under its id
 * @param status  the verdict
 * @param finding what was found, one sentence
 * @param fix     how to fix it; empty for {@link Status#PASS} and {@link Status#SKIP}
 */
public record Finding(String id, Status status, String finding, String fix) {
    public Finding {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(fix, "fix");
    }

    public static Finding pass(String id, String finding) {
        return new Finding(id, Status.PASS, finding, "");
    }

    public static Finding skip(String id, String finding) {
        return new Finding(id, Status.SKIP, finding, "");
    }

    public static Finding warn(String id, String finding, String fix) {
        return new Finding(id, Status.WARN, finding, fix);
    }

    public static Finding fail(String id, String finding, String fix) {
        return new Finding(id, Status.FAIL, finding, fix);
    }
}
