package io.respgate.proxy.posture;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Who else may write where Redis keeps its RDB and AOF files. Anyone who can replace them decides
 * what Redis loads on restart. Only checked when Redis runs on this host (a loopback upstream).
 */
final class DataDirPermissionsCheck extends LocalRedisCheck {
    static final String ID = "redis-dir-permissions";

    @Override
    public String id() {
        return ID;
    }

    @Override
    List<Finding> checkLocal(Deployment d) {
        Answer<String> dir = d.redis().dir();
        if (!dir.known()) {
            return List.of(dir.unavailable(ID, "CONFIG GET dir"));
        }
        String shown = Text.shorten(dir.value());
        FileAccess access;
        try {
            access = FileAccess.of(Path.of(dir.value()));
        } catch (FileAccess.Unreadable e) {
            return List.of(cannotInspect(shown, e.getMessage()));
        } catch (InvalidPathException e) {
            return List.of(cannotInspect(shown, "not a valid path"));
        }
        String fix = "make the directory writable only by the user Redis runs as: chown redis:redis " + shown
                + " && chmod 700 " + shown;
        if (access.worldWritable()) {
            return List.of(Finding.fail(ID, "Redis's dir " + shown + " is writable by every user on this host ("
                    + access.describe() + "): anyone can replace the files Redis loads", fix));
        }
        if (access.groupWritable()) {
            return List.of(Finding.warn(ID, "Redis's dir " + shown + " is writable by group " + access.group()
                    + " (" + access.describe() + ")", fix));
        }
        return List.of(Finding.pass(ID, "Redis's dir " + shown + " is writable only by its owner ("
                + access.describe() + ")"));
    }

    private static Finding cannotInspect(String dir, String reason) {
        return Finding.warn(ID, "cannot inspect Redis's dir " + dir + ": " + reason + " (if Redis runs in a"
                        + " container, the path is inside it)",
                "run the audit as a user who can read the directory's attributes, or check it by hand with ls -ld");
    }
}
