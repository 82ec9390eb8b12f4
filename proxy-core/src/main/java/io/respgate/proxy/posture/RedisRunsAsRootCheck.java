package io.respgate.proxy.posture;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Does Redis run as root? Then anyone who gets {@code CONFIG SET dir} and {@code dbfilename} past
 * the proxy can write a file anywhere on this host (the classic SSH-key attack). Only checked when
 * Redis runs on this host.
 */
final class RedisRunsAsRootCheck extends LocalRedisCheck {
    static final String ID = "redis-runs-as-root";

    @Override
    public String id() {
        return ID;
    }

    @Override
    List<Finding> checkLocal(Deployment d) {
        Answer<Long> pid = d.redis().processId();
        if (!pid.known()) {
            return List.of(pid.unavailable(ID, "INFO server (process_id)"));
        }
        Answer<Integer> uid = ProcessOwner.effectiveUid(pid.value());
        if (!uid.known()) {
            return List.of(Finding.warn(ID, "cannot inspect Redis's process: " + uid.reason(),
                    "check by hand that redis-server does not run as root (ps -o user= -p PID)"));
        }
        if (uid.value() != 0) {
            return List.of(Finding.pass(ID, "Redis (pid " + pid.value() + ") runs as uid " + uid.value()
                    + ", not root"));
        }
        return List.of(Finding.warn(ID, "Redis (pid " + pid.value() + ") runs as root" + dirOwnedByRoot(d)
                        + ": a CONFIG SET dir that gets through can write files anywhere on this host",
                "run redis-server as an unprivileged user (e.g. redis) that owns only its data directory"));
    }

    private static String dirOwnedByRoot(Deployment d) {
        if (!d.redis().dir().known()) {
            return "";
        }
        try {
            FileAccess access = FileAccess.of(Path.of(d.redis().dir().value()));
            return access.owner().equals("root") ? ", and its dir " + Text.shorten(d.redis().dir().value())
                    + " is owned by root" : "";
        } catch (FileAccess.Unreadable | InvalidPathException e) {
            return "";
        }
    }
}
