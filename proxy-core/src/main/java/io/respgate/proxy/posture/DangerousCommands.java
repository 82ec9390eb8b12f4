package io.respgate.proxy.posture;

import java.util.List;
import java.util.Objects;

/**
 * Which dangerous commands RespGate's own Redis user may run. The guardrails refuse them to
 * clients, but scripts run inside Redis as this user, so Redis's ACL is the layer behind them.
 *
 * @param method  how it was found out: {@code ACL DRYRUN} or a {@code MULTI} probe
 * @param results one result per probed command, in probe order
 */
record DangerousCommands(String method, List<Result> results) {
    DangerousCommands {
        Objects.requireNonNull(method, "method");
        results = List.copyOf(results);
    }

    enum Verdict {
        /** Redis's ACL lets the user run it. */
        ALLOWED,
        /** Redis's ACL refuses it. */
        DENIED,
        /** Refused for another reason (disabled by {@code enable-debug-command}, renamed away, ...). */
        UNAVAILABLE
    }

    /**
     * @param command the command as shown in the report, e.g. {@code CONFIG SET dir}
     * @param verdict the verdict
     * @param note    for {@link Verdict#UNAVAILABLE}: Redis's reason, shortened
     */
    record Result(String command, Verdict verdict, String note) {
        Result {
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(verdict, "verdict");
            Objects.requireNonNull(note, "note");
        }
    }

    List<String> commandsWith(Verdict verdict) {
        return results.stream().filter(r -> r.verdict() == verdict).map(Result::command).toList();
    }
}
