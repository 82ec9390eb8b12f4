package io.respgate.proxy.posture;

import java.util.ArrayList;
import java.util.List;

/**
 * May RespGate's own Redis user run the commands the guardrails refuse? The guardrails stop
 * clients, but a script runs inside Redis as this user, so Redis's ACL is the layer behind them.
 */
final class DangerousCommandsCheck implements PostureCheck {
    static final String ID = "redis-dangerous-commands";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> run(Deployment d) {
        Answer<DangerousCommands> answer = d.redis().dangerousCommands();
        String user = d.proxyUser();
        if (!answer.known()) {
            return List.of(answer.unavailable(ID, "which dangerous commands RespGate's Redis user '" + user
                    + "' may run"));
        }
        DangerousCommands commands = answer.value();
        List<String> allowed = commands.commandsWith(DangerousCommands.Verdict.ALLOWED);
        if (!allowed.isEmpty()) {
            return List.of(Finding.warn(ID, "RespGate's Redis user '" + user + "' may run "
                            + String.join(", ", allowed) + " (asked with " + commands.method() + ")",
                    "give RespGate's Redis user -@dangerous (ACL SETUSER " + user + " -@dangerous), so that a"
                            + " script or a lifted guardrail cannot reach these commands"));
        }
        List<String> refused = new ArrayList<>();
        for (DangerousCommands.Result r : commands.results()) {
            refused.add(r.note().isEmpty() ? r.command() : r.command() + " (" + r.note() + ")");
        }
        return List.of(Finding.pass(ID, "RespGate's Redis user '" + user + "' is refused "
                + String.join(", ", refused) + " (asked with " + commands.method() + ")"));
    }
}
