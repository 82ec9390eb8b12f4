package io.respgate.proxy.posture;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds out which dangerous commands RespGate's Redis user may run, without running any of them.
 *
 * <p>First choice: {@code ACL DRYRUN user command...} (Redis 7), asked on the inspecting session.
 * A well-restricted RespGate user may not run {@code ACL DRYRUN} itself, so without an inspecting
 * admin user the commands are probed on RespGate's own session inside {@code MULTI}: Redis checks
 * the ACL when a command is queued ({@code +QUEUED} or {@code -NOPERM}) and runs nothing until
 * {@code EXEC}, and the probe ends with {@code DISCARD}. A command is sent only after {@code MULTI}
 * was confirmed, so it can never run outside the transaction.
 */
final class DangerousCommandProbe {
    /** The report's name of each command, and the arguments probed. */
    record Probe(String command, List<String> args) {
    }

    static final List<Probe> PROBES = List.of(
            new Probe("FLUSHALL", List.of("FLUSHALL")),
            new Probe("CONFIG SET dir", List.of("CONFIG", "SET", "dir", "/tmp")),
            new Probe("MODULE LOAD", List.of("MODULE", "LOAD", "x")),
            new Probe("DEBUG", List.of("DEBUG", "SLEEP", "0")),
            new Probe("REPLICAOF", List.of("REPLICAOF", "no", "one")));

    private DangerousCommandProbe() {
    }

    /**
     * @param inspector a signed-in session that may be able to run {@code ACL DRYRUN}, or null
     * @param proxy     RespGate's own signed-in session, or null
     * @param user      RespGate's Redis user
     */
    static Answer<DangerousCommands> probe(RedisConnection inspector, RedisConnection proxy, String user) {
        String dryRunProblem = "no session to ask";
        if (inspector != null) {
            try {
                Answer<DangerousCommands> dryRun = dryRun(inspector, user);
                if (dryRun.known()) {
                    return dryRun;
                }
                dryRunProblem = dryRun.reason();
            } catch (IOException e) {
                return Answer.error("the connection broke during ACL DRYRUN: " + Failures.reason(e));
            }
        }
        if (proxy == null) {
            return Answer.error("ACL DRYRUN: " + dryRunProblem + "; and no session of RespGate's user to probe with");
        }
        try {
            return multiProbe(proxy, dryRunProblem);
        } catch (IOException e) {
            return Answer.error("the connection broke during the MULTI probe: " + Failures.reason(e));
        }
    }

    /** ACL DRYRUN answers {@code +OK} or a bulk string that explains the denial. */
    static Answer<DangerousCommands> dryRun(RedisConnection connection, String user) throws IOException {
        List<DangerousCommands.Result> results = new ArrayList<>();
        for (Probe probe : PROBES) {
            List<String> args = new ArrayList<>(List.of("ACL", "DRYRUN", user));
            args.addAll(probe.args());
            Reply reply = connection.call(args.toArray(new String[0]));
            if (reply instanceof Reply.Simple s && s.text().equals("OK")) {
                results.add(new DangerousCommands.Result(probe.command(), DangerousCommands.Verdict.ALLOWED, ""));
            } else if (reply instanceof Reply.Bulk b && b.bytes() != null) {
                results.add(new DangerousCommands.Result(probe.command(), DangerousCommands.Verdict.DENIED, ""));
            } else if (reply instanceof Reply.Error e) {
                return e.noPermission() ? Answer.noPermission(Text.shorten(e.text())) : Answer.error(Text.shorten(e.text()));
            } else {
                return Answer.error("unexpected reply to ACL DRYRUN: " + Reply.describe(reply));
            }
        }
        return Answer.of(new DangerousCommands("ACL DRYRUN", results));
    }

    static Answer<DangerousCommands> multiProbe(RedisConnection connection, String dryRunProblem) throws IOException {
        Reply multi = connection.call("MULTI");
        if (!(multi instanceof Reply.Simple s && s.text().equals("OK"))) {
            String why = "RespGate's user may run neither ACL DRYRUN (" + dryRunProblem + ") nor MULTI ("
                    + Reply.describe(multi) + ")";
            return multi instanceof Reply.Error e && e.noPermission() ? Answer.noPermission(why) : Answer.error(why);
        }
        List<DangerousCommands.Result> results = new ArrayList<>();
        try {
            for (Probe probe : PROBES) {
                Reply reply = connection.call(probe.args().toArray(new String[0]));
                results.add(verdict(probe, reply));
            }
        } finally {
            connection.call("DISCARD");
        }
        return Answer.of(new DangerousCommands("a MULTI probe, queued and discarded", results));
    }

    /** "ERR DEBUG command not allowed. If the ... option is set ..." is long; its first sentence says it. */
    private static String firstSentence(String text) {
        int dot = text.indexOf(". ");
        return Text.shorten(dot < 0 ? text : text.substring(0, dot));
    }

    private static DangerousCommands.Result verdict(Probe probe, Reply reply) throws IOException {
        if (reply instanceof Reply.Simple s && s.text().equals("QUEUED")) {
            return new DangerousCommands.Result(probe.command(), DangerousCommands.Verdict.ALLOWED, "");
        }
        if (reply instanceof Reply.Error e) {
            return e.noPermission()
                    ? new DangerousCommands.Result(probe.command(), DangerousCommands.Verdict.DENIED, "")
                    : new DangerousCommands.Result(probe.command(), DangerousCommands.Verdict.UNAVAILABLE,
                            firstSentence(e.text()));
        }
        // Anything else means the transaction is not what we think it is: stop before sending more.
        throw new IOException("unexpected reply inside MULTI: " + Reply.describe(reply));
    }
}
