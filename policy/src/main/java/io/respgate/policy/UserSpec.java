package io.respgate.policy;

import java.util.List;
import java.util.Objects;

/**
 * One user of a policy file, as written, before compilation by {@link PolicyUser#compile}.
 *
 * @param name           the user name (exact, case-sensitive, like Redis)
 * @param acl            rules in Redis ACL {@code SETUSER} syntax; {@code >password} is refused
 * @param databases      databases the user may SELECT (and name in SWAPDB/MOVE/COPY); null = all
 * @param sourceNetworks CIDR networks the user may connect from; empty = any
 * @param scripts        the script allow-list; null = no allow-list (scripts limited by the ACL only)
 * @param maxConnections most concurrent connections as this user; 0 = unlimited
 * @param denyArgs       argument rules that deny when they match
 * @param allowOnlyArgs  argument rules that allow only the arguments they list
 * @param certificates   client certificate names that sign a connection in as this user, see
 *                       {@link CertificateName#parse}
 * @param shadow         shadow mode: a command this user's rules would deny is forwarded anyway,
 *                       and reported as {@code would_deny}; guardrails still apply
 */
public record UserSpec(String name, String acl, List<Integer> databases, List<String> sourceNetworks,
                       Scripts scripts, int maxConnections, List<ArgRuleSpec> denyArgs,
                       List<ArgRuleSpec> allowOnlyArgs, List<String> certificates, boolean shadow) {
    public UserSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(acl, "acl");
        databases = databases == null ? null : List.copyOf(databases);
        sourceNetworks = sourceNetworks == null ? List.of() : List.copyOf(sourceNetworks);
        denyArgs = denyArgs == null ? List.of() : List.copyOf(denyArgs);
        allowOnlyArgs = allowOnlyArgs == null ? List.of() : List.copyOf(allowOnlyArgs);
        certificates = certificates == null ? List.of() : List.copyOf(certificates);
    }

    /** An enforced user. */
    public UserSpec(String name, String acl, List<Integer> databases, List<String> sourceNetworks, Scripts scripts,
                    int maxConnections, List<ArgRuleSpec> denyArgs, List<ArgRuleSpec> allowOnlyArgs,
                    List<String> certificates) {
        this(name, acl, databases, sourceNetworks, scripts, maxConnections, denyArgs, allowOnlyArgs, certificates,
                false);
    }

    /** An enforced user no client certificate maps to. */
    public UserSpec(String name, String acl, List<Integer> databases, List<String> sourceNetworks, Scripts scripts,
                    int maxConnections, List<ArgRuleSpec> denyArgs, List<ArgRuleSpec> allowOnlyArgs) {
        this(name, acl, databases, sourceNetworks, scripts, maxConnections, denyArgs, allowOnlyArgs, List.of());
    }

    /** A user with only ACL rules. */
    public static UserSpec of(String name, String acl) {
        return new UserSpec(name, acl, null, List.of(), null, 0, List.of(), List.of());
    }

    /**
     * A script allow-list: EVAL/EVAL_RO and SCRIPT LOAD only for bodies whose SHA1 is listed,
     * EVALSHA/EVALSHA_RO only for listed SHA1s, FCALL/FCALL_RO only for listed function names (case-insensitive,
     * as Redis), and no FUNCTION LOAD/RESTORE (a loaded library could register any name).
     */
    public record Scripts(List<String> sha1, List<String> functions) {
        public Scripts {
            sha1 = sha1 == null ? List.of() : List.copyOf(sha1);
            functions = functions == null ? List.of() : List.copyOf(functions);
        }
    }

    /**
     * One argument rule.
     *
     * @param command  {@code keys}, {@code config|set}; a container ({@code config}) covers its subcommands,
     *                 and then argument 0 is the subcommand name
     * @param args     globs ({@code * ? [..] \}, case-insensitive, {@code *} also matches the empty string):
     *                 for deny_args one per position after the command name, matched from the first argument
     *                 (or from any position with {@code anywhere}); for allow_only_args the set every
     *                 argument after the command name must match one of
     * @param anywhere deny_args only: the globs may match starting at any argument, not only the first
     * @param option   deny_args only: a keyword ({@code COUNT}); the rule denies when a value after it is
     *                 not an integer or exceeds {@code max}
     * @param max      with {@code option}
     */
    public record ArgRuleSpec(String command, List<String> args, boolean anywhere, String option, Long max) {
        public ArgRuleSpec {
            Objects.requireNonNull(command, "command");
            args = args == null ? List.of() : List.copyOf(args);
        }

        public static ArgRuleSpec deny(String command, String... args) {
            return new ArgRuleSpec(command, List.of(args), false, null, null);
        }

        public static ArgRuleSpec allowOnly(String command, String... args) {
            return new ArgRuleSpec(command, List.of(args), false, null, null);
        }
    }
}
