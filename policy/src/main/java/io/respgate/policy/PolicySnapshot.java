package io.respgate.policy;

import io.netty.buffer.ByteBuf;
import io.respgate.codec.CommandFrame;
import io.respgate.policy.acl.AclDenials;
import io.respgate.policy.acl.AclVerdict;
import io.respgate.policy.command.CommandSpec;
import io.respgate.policy.command.CommandTable;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A compiled, immutable policy: guardrails and users. The proxy holds one in an atomic reference
 * and swaps it on reload; {@link #decide} is the Gate.
 *
 * <p>{@link #decide} checks, stopping at the first denial:
 * <ol>
 *   <li>the command is known ({@code ERR unknown command ...} / {@code ERR unknown subcommand ...},
 *       worded as Redis 7.0 words them; rule id {@code unknown-command}) and has the right number of
 *       arguments ({@code ERR wrong number of arguments for '...' command}, rule id {@code arity}), as
 *       Redis checks before anything else;</li>
 *   <li>the global guardrails (rule id {@code guardrail:<entry>});</li>
 *   <li>the user's Redis ACL (Redis's NOPERM texts; rule id {@code acl:<user>});</li>
 *   <li>the user's extra rules: deny_args, allow_only_args, databases, script allow-list, SORT
 *       BY/GET patterns (rule id {@code rule:<user>:<rule>}, e.g. {@code rule:app:deny_args[0]},
 *       {@code rule:app:databases}, {@code rule:app:scripts}, {@code rule:app:sort-pattern}).</li>
 * </ol>
 * Allowing allocates nothing. Denial texts that quote client bytes ({@code unknown command}) hold
 * one char per byte (ISO-8859-1), so encoding them as ISO-8859-1 gives Redis's exact bytes.
 */
public final class PolicySnapshot {
    static final Decision INTERNAL_ERROR = Decision.deny(
            "ERR RespGate could not evaluate this command; it was denied", "internal-error");
    static final Decision NO_USER = Decision.deny("NOAUTH Authentication required.", "no-user");
    static final Decision USER_REMOVED = Decision.deny(
            "NOPERM this user no longer exists in the RespGate policy", "user-removed");
    static final Decision USER_DISABLED = Decision.deny(
            "NOPERM this user is disabled in the RespGate policy", "user-disabled");

    private final String version;
    private final Instant loadedAt;
    private final Guardrails guardrails;
    private final CommandTable table;
    private final Map<String, PolicyUser> users;
    private final PolicyUser openDefault;
    private final Map<CertificateName, PolicyUser> byCertificate;
    private final Decision[] arityDenied;

    private PolicySnapshot(String version, Instant loadedAt, Guardrails guardrails, List<PolicyUser> users) {
        this.version = Objects.requireNonNull(version, "version");
        this.loadedAt = Objects.requireNonNull(loadedAt, "loadedAt");
        this.guardrails = Objects.requireNonNull(guardrails, "guardrails");
        this.table = guardrails.table();
        Map<String, PolicyUser> map = new LinkedHashMap<>();
        for (PolicyUser u : users) {
            if (map.putIfAbsent(u.name(), u) != null) {
                throw new IllegalArgumentException("duplicate user " + u.name());
            }
        }
        this.users = Collections.unmodifiableMap(map);
        Map<CertificateName, PolicyUser> certs = new HashMap<>();
        for (PolicyUser u : users) {
            for (CertificateName name : u.certificates()) {
                PolicyUser other = certs.putIfAbsent(name, u);
                if (other != null) {
                    throw new IllegalArgumentException("the certificate name " + name + " is listed by users '"
                            + other.name() + "' and '" + u.name() + "'; a certificate must map to one user");
                }
            }
        }
        this.byCertificate = Map.copyOf(certs);
        PolicyUser d = map.get("default");
        this.openDefault = d != null && d.enabled() && d.nopass() ? d : null;
        this.arityDenied = new Decision[table.size()];
        for (CommandSpec spec : table.all()) {
            arityDenied[spec.id()] = Decision.deny("ERR wrong number of arguments for '" + spec.name()
                    + "' command", "arity");
        }
    }

    /**
     * A snapshot of {@code users} under {@code guardrails}. The users must have been compiled with
     * the guardrails' command table.
     *
     * @param version  an identifier of the policy source, see {@link #versionOf}
     * @throws IllegalArgumentException for two users with one name, or one certificate name listed by two users
     */
    public static PolicySnapshot of(String version, Instant loadedAt, Guardrails guardrails, List<PolicyUser> users) {
        return new PolicySnapshot(version, loadedAt, guardrails, List.copyOf(users));
    }

    /** The first 12 hex digits of the SHA-256 of the policy file's bytes. */
    public static String versionOf(byte[] fileBytes) {
        return PasswordHashing.sha256Hex(fileBytes).substring(0, 12);
    }

    public String version() {
        return version;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    /** The user named exactly {@code name} (case-sensitive, like Redis), or null. */
    public PolicyUser user(String name) {
        return name == null ? null : users.get(name);
    }

    /** User {@code default} if it is {@code on} and {@code nopass} (new connections are authenticated as it), else null. */
    public PolicyUser openDefaultUser() {
        return openDefault;
    }

    /**
     * The user a verified client certificate maps to. The user may be disabled; the caller refuses
     * the connection then. A certificate whose names are listed by more than one user is ambiguous.
     */
    public CertificateMatch userFor(CertificateIdentity identity) {
        PolicyUser found = null;
        for (CertificateName name : identity.names()) {
            PolicyUser u = byCertificate.get(name);
            if (u != null) {
                if (found != null && found != u) {
                    return CertificateMatch.AMBIGUOUS;
                }
                found = u;
            }
        }
        return found == null ? CertificateMatch.NONE : new CertificateMatch(found, false);
    }

    /** Whether any user is mapped from a client certificate. */
    public boolean mapsCertificates() {
        return !byCertificate.isEmpty();
    }

    public int userCount() {
        return users.size();
    }

    public Set<String> userNames() {
        return users.keySet();
    }

    /** The users in file order. */
    public List<PolicyUser> users() {
        return List.copyOf(users.values());
    }

    public Guardrails guardrails() {
        return guardrails;
    }

    public CommandTable table() {
        return table;
    }

    /**
     * The decision for {@code frame} sent by {@code user}. Never throws: an exception is a denial
     * with rule id {@code internal-error}. A {@code user} from an older snapshot is judged as this
     * snapshot's user of the same name (denied if it was removed or disabled). The frame is only read.
     */
    public Decision decide(PolicyUser user, CommandFrame frame) {
        try {
            return decide0(user, frame, table.lookup(frame));
        } catch (RuntimeException | StackOverflowError e) {
            return INTERNAL_ERROR;
        }
    }

    /**
     * The same decision for a caller that looked the command up already ({@code spec} is
     * {@code table().lookup(frame)}, null for an unknown command), so the proxy looks it up once
     * for the decision and its metrics.
     */
    public Decision decide(PolicyUser user, CommandFrame frame, CommandSpec spec) {
        try {
            return decide0(user, frame, spec);
        } catch (RuntimeException | StackOverflowError e) {
            return INTERNAL_ERROR;
        }
    }

    private Decision decide0(PolicyUser user, CommandFrame frame, CommandSpec spec) {
        if (user == null) {
            return NO_USER;
        }
        PolicyUser current = users.get(user.name());
        if (current == null) {
            return USER_REMOVED;
        }
        if (!current.enabled()) {
            return USER_DISABLED;
        }
        if (spec == null) {
            return unknownCommand(frame);
        }
        if (!spec.subcommands().isEmpty() && frame.argCount() >= 2) {
            return unknownSubcommand(frame);
        }
        if (!spec.arityMatches(frame.argCount())) {
            return arityDenied[spec.id()];
        }
        Decision d = guardrails.check(spec, frame);
        if (d != null) {
            return d;
        }
        AclVerdict verdict = current.acl().check(spec, frame);
        if (!verdict.allowed()) {
            return Decision.deny(AclDenials.message(verdict, spec), current.aclRuleId());
        }
        d = current.checkExtra(spec, frame);
        return d != null ? d : Decision.ALLOW;
    }

    /**
     * Redis 7.0's {@code processCommand}: {@code unknown command '%.128s', with args beginning with: %s}
     * where the args are {@code '%.*s' } each while fewer than 128 bytes were written, every string
     * read up to a NUL, and CR/LF replaced by spaces.
     */
    static Decision unknownCommand(CommandFrame frame) {
        StringBuilder b = new StringBuilder("ERR unknown command '");
        appendC(b, frame, 0, 128);
        b.append("', with args beginning with: ");
        int written = 0;
        for (int i = 1; i < frame.argCount() && written < 128; i++) {
            int before = b.length();
            b.append('\'');
            appendC(b, frame, i, 128 - written);
            b.append("' ");
            written += b.length() - before;
        }
        return Decision.deny(b.toString(), "unknown-command");
    }

    /** {@code unknown subcommand '%.128s'. Try %s HELP.} with the container name as sent, upper-cased. */
    static Decision unknownSubcommand(CommandFrame frame) {
        StringBuilder b = new StringBuilder("ERR unknown subcommand '");
        appendC(b, frame, 1, 128);
        b.append("'. Try ");
        int start = b.length();
        appendC(b, frame, 0, Integer.MAX_VALUE);
        for (int i = start; i < b.length(); i++) {
            char c = b.charAt(i);
            if (c >= 'a' && c <= 'z') {
                b.setCharAt(i, (char) (c - 32));
            }
        }
        b.append(" HELP.");
        return Decision.deny(b.toString(), "unknown-command");
    }

    private static void appendC(StringBuilder b, CommandFrame frame, int arg, int max) {
        ByteBuf buf = frame.buffer();
        int index = frame.argIndex(arg);
        int n = Math.min(frame.argLength(arg), max);
        for (int i = 0; i < n; i++) {
            byte c = buf.getByte(index + i);
            if (c == 0) {
                break;
            }
            b.append(c == '\r' || c == '\n' ? ' ' : (char) (c & 0xff));
        }
    }

    @Override
    public String toString() {
        return "PolicySnapshot[" + version + ", " + users.size() + " users]";
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
