package io.respgate.policy;

import io.respgate.policy.acl.AclRules;
import io.respgate.policy.acl.AclSelector;
import io.respgate.policy.acl.KeyPattern;
import io.respgate.policy.command.CommandSpec;
import io.respgate.policy.command.CommandTable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Warnings about a policy that is valid but probably not what its author meant, for
 * {@code respgate check}: guardrail widenings, ACL rules that change nothing, users allowed every
 * command, users without credentials, patterns that match every key or channel, scripts that run
 * without an allow-list, argument rules that are easy to step around. Plaintext {@code >passwords}
 * cannot occur: compilation rejects them.
 */
public final class PolicyLint {
    private PolicyLint() {
    }

    public static List<String> lint(PolicySnapshot snapshot) {
        List<String> out = new ArrayList<>(snapshot.guardrails().lint());
        for (PolicyUser user : snapshot.users()) {
            lintUser(user, snapshot.table(), out);
        }
        return out;
    }

    static void lintUser(PolicyUser user, CommandTable table, List<String> out) {
        String who = "user '" + user.name() + "': ";
        AclRules rules = user.aclRules();
        unreachable(who, user.spec().acl(), table, out);
        List<AclSelector> selectors = new ArrayList<>();
        selectors.add(rules.root());
        selectors.addAll(rules.selectors());
        for (int i = 0; i < selectors.size(); i++) {
            AclSelector s = selectors.get(i);
            String where = i == 0 ? "" : "selector " + i + ": ";
            if (s.allCommands()) {
                out.add(who + where + "is allowed every command (+@all / allcommands)");
            } else if (s.futureCommands()) {
                out.add(who + where + "starts from +@all: every command not removed afterwards is allowed,"
                        + " including commands added to Redis later");
            }
            if (s.allKeys()) {
                out.add(who + where + "may access every key (allkeys / ~*)");
            }
            for (KeyPattern p : s.keyPatterns()) {
                if (onlyStars(p.pattern())) {
                    out.add(who + where + "key pattern '" + p + "' matches every key");
                }
            }
            if (s.allChannels()) {
                out.add(who + where + "may use every Pub/Sub channel (allchannels / &*)");
            }
            for (String c : s.channelPatterns()) {
                if (onlyStars(c.getBytes(StandardCharsets.UTF_8))) {
                    out.add(who + where + "channel pattern '&" + c + "' matches every channel");
                }
            }
        }
        if (user.enabled() && user.nopass() && !user.name().equals("default")) {
            out.add(who + "is on and nopass: anyone who names this user is authenticated without a password");
        }
        if (user.enabled() && !user.nopass() && rules.passwordHashes().isEmpty()) {
            out.add(who + "is on but has no #<sha256> password and is not nopass: nobody can authenticate as it");
        }
        if (user.spec().scripts() == null && user.enabled()) {
            for (String name : List.of("eval", "eval_ro", "evalsha", "evalsha_ro", "fcall", "fcall_ro")) {
                CommandSpec spec = table.byName(name);
                if (spec != null && anySelectorAllows(selectors, spec)) {
                    out.add(who + "may run scripts (" + name + ") without a scripts allow-list: commands a script"
                            + " runs are not seen by RespGate (guardrails and argument rules do not apply to them)");
                    break;
                }
            }
        }
        for (int i = 0; i < user.spec().denyArgs().size(); i++) {
            UserSpec.ArgRuleSpec r = user.spec().denyArgs().get(i);
            if (r.command().strip().equalsIgnoreCase("config|set") && !r.args().isEmpty() && !r.anywhere()) {
                out.add(who + "deny_args[" + i + "] matches only the first parameter of CONFIG SET, which takes"
                        + " several parameter/value pairs; add 'anywhere: true'");
            }
        }
    }

    private static boolean anySelectorAllows(List<AclSelector> selectors, CommandSpec spec) {
        for (AclSelector s : selectors) {
            if (s.allCommands() || s.commandBit(spec)) {
                return true;
            }
        }
        return false;
    }

    private static boolean onlyStars(byte[] p) {
        if (p.length == 0) {
            return false;
        }
        for (byte b : p) {
            if (b != '*') {
                return false;
            }
        }
        return true;
    }

    /**
     * Root-level {@code +cmd}, {@code -cmd}, {@code +@cat}, {@code -@cat} rules after which the
     * root's command bits are the same as before: they allow what is already allowed or remove what
     * is not allowed.
     */
    private static void unreachable(String who, String acl, CommandTable table, List<String> out) {
        List<byte[]> ops = ops(acl);
        boolean[] before = null;
        for (int k = 0; k < ops.size(); k++) {
            String op = new String(ops.get(k), StandardCharsets.UTF_8);
            boolean[] after;
            try {
                after = bits(AclRules.parse(ops.subList(0, k + 1), table).root(), table);
            } catch (RuntimeException e) {
                return;
            }
            if (before != null && isCommandRule(op, table) && java.util.Arrays.equals(before, after)) {
                boolean plus = op.charAt(0) == '+';
                out.add(who + "acl rule '" + op + "' has no effect: " + (plus
                        ? "every command it names is already allowed by the rules before it"
                        : "no command it names is allowed at that point"));
            }
            before = after;
        }
    }

    private static boolean isCommandRule(String op, CommandTable table) {
        if (op.length() < 2 || (op.charAt(0) != '+' && op.charAt(0) != '-')) {
            return false;
        }
        if (op.equalsIgnoreCase("-@all") || op.equalsIgnoreCase("+@all")) {
            return false; // the usual way to start (or restart) a rule list
        }
        if (op.charAt(1) == '@') {
            return true;
        }
        return table.byName(op.substring(1).toLowerCase(Locale.ROOT)) != null; // not a first-arg rule
    }

    private static boolean[] bits(AclSelector root, CommandTable table) {
        boolean[] b = new boolean[table.size()];
        for (CommandSpec spec : table.all()) {
            b[spec.id()] = root.commandBit(spec);
        }
        return b;
    }

    /** The rule words, with each (...) selector joined into one op. */
    private static List<byte[]> ops(String acl) {
        List<byte[]> out = new ArrayList<>();
        StringBuilder selector = null;
        for (String w : acl.strip().split("\\s+")) {
            if (w.isEmpty()) {
                continue;
            }
            if (selector != null) {
                selector.append(' ').append(w);
                if (w.endsWith(")")) {
                    out.add(selector.toString().getBytes(StandardCharsets.UTF_8));
                    selector = null;
                }
            } else if (w.startsWith("(") && !w.endsWith(")")) {
                selector = new StringBuilder(w);
            } else {
                out.add(w.getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
