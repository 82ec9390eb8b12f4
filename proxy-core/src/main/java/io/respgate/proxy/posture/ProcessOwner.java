package io.respgate.proxy.posture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The user id a local process runs as, from Linux's {@code /proc}. The process must be a
 * {@code redis-server}: a process id from a container's namespace may name an unrelated process
 * on this host.
 */
final class ProcessOwner {
    private ProcessOwner() {
    }

    /** The effective user id of Redis's process, or why it cannot be told. */
    static Answer<Integer> effectiveUid(long pid) {
        return effectiveUid(Path.of("/proc"), pid);
    }

    static Answer<Integer> effectiveUid(Path proc, long pid) {
        Path process = proc.resolve(Long.toString(pid));
        try {
            String name = Files.readString(process.resolve("comm")).strip();
            if (!name.startsWith("redis-server")) {
                return Answer.error("process " + pid + " on this host is '" + Text.shorten(name)
                        + "', not redis-server (does Redis run in a container?)");
            }
            List<String> status = Files.readAllLines(process.resolve("status"));
            for (String line : status) {
                if (line.startsWith("Uid:")) {
                    // Uid: real effective saved filesystem
                    String[] fields = line.substring(4).strip().split("\\s+");
                    return Answer.of(Integer.parseInt(fields[fields.length > 1 ? 1 : 0]));
                }
            }
            return Answer.error("/proc/" + pid + "/status has no Uid line");
        } catch (IOException | NumberFormatException e) {
            return Answer.error("cannot read /proc/" + pid + " on this host");
        }
    }
}
