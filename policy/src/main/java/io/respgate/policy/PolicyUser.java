package io.respgate.policy;

import io.netty.buffer.ByteBuf;
import io.respgate.codec.CommandFrame;
import io.respgate.policy.acl.AclRuleException;
import io.respgate.policy.acl.AclRules;
import io.respgate.policy.acl.CompiledAcl;
import io.respgate.policy.command.CommandSpec;
import io.respgate.policy.command.CommandTable;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One compiled user of a {@link PolicySnapshot}: credentials, its Redis ACL ({@link CompiledAcl}),
 * and RespGate's extra rules (argument rules, databases, script allow-list, SORT patterns), indexed
 * by command id for the hot path. Immutable and thread-safe.
 */
public final class PolicyUser {
    private final UserSpec spec;
    private final AclRules rules;
    private final CompiledAcl acl;
    private final byte[][] hashes;
    private final List<Cidr> networks;
    private final List<CertificateName> certificates;
    private final int[] databases;
    private final String aclRuleId;
    private final Special special;
    private final ArgRule[][] argRulesById;
    private final AllowOnly[] allowOnlyById;
    private final boolean scriptsRestricted;
    private final byte[][] scriptSha1Digests;
    private final byte[][] scriptSha1Hex;
    private final byte[][] functions;
    private final Decision databaseDenied;
    private final Decision scriptDenied;
    private final Decision sortByDenied;
    private final Decision sortGetDenied;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    private PolicyUser(UserSpec spec, AclRules rules, CommandTable table, List<Cidr> networks,
                       List<CertificateName> certificates, int[] databases, ArgRule[][] argRules, AllowOnly[] allowOnly) {
        this.spec = spec;
        this.rules = rules;
        this.acl = rules.compile();
        this.hashes = rules.passwordHashes().stream().map(PasswordHashing::unhex).toArray(byte[][]::new);
        this.networks = List.copyOf(networks);
        this.certificates = List.copyOf(certificates);
        this.databases = databases;
        this.aclRuleId = "acl:" + spec.name();
        this.special = new Special(table);
        this.argRulesById = argRules;
        this.allowOnlyById = allowOnly;
        UserSpec.Scripts scripts = spec.scripts();
        this.scriptsRestricted = scripts != null;
        List<String> sha1 = scripts == null ? List.of() : scripts.sha1();
        this.scriptSha1Digests = sha1.stream().map(PasswordHashing::unhex).toArray(byte[][]::new);
        this.scriptSha1Hex = sha1.stream().map(s -> s.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))
                .toArray(byte[][]::new);
        this.functions = (scripts == null ? List.<String>of() : scripts.functions()).stream()
                .map(s -> s.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        String prefix = "rule:" + spec.name() + ":";
        this.databaseDenied = Decision.deny("NOPERM this user has no permissions to use the database named in"
                + " this command", prefix + "databases");
        this.scriptDenied = Decision.deny("NOPERM this user has no permissions to run this script or function"
                + " (not in its script allow-list)", prefix + "scripts");
        this.sortByDenied = Decision.deny("ERR BY option of SORT denied due to insufficient ACL permissions.",
                prefix + "sort-pattern");
        this.sortGetDenied = Decision.deny("ERR GET option of SORT denied due to insufficient ACL permissions.",
                prefix + "sort-pattern");
    }

    /** Compiles {@code spec} against Redis 7.0's command table. */
    public static PolicyUser compile(UserSpec spec) throws PolicyException {
        return compile(spec, CommandTable.redis70());
    }

    /**
     * Compiles {@code spec}. Problems are reported with a path relative to the user ({@code acl},
     * {@code source_networks[1]}, {@code deny_args[0].command}, ...) and a message naming the user.
     */
    public static PolicyUser compile(UserSpec spec, CommandTable table) throws PolicyException {
        Objects.requireNonNull(spec, "spec");
        String user = "user '" + spec.name() + "': ";
        AclRules rules;
        try {
            rules = AclRules.parse(spec.acl(), table);
        } catch (AclRuleException e) {
            throw new PolicyException("acl", user + e.getMessage());
        }
        List<Cidr> networks = new ArrayList<>();
        for (int i = 0; i < spec.sourceNetworks().size(); i++) {
            String n = spec.sourceNetworks().get(i);
            try {
                networks.add(Cidr.parse(Objects.requireNonNull(n, "network")));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new PolicyException("source_networks[" + i + "]", user + "'" + n + "' is not a valid CIDR"
                        + " network (" + e.getMessage() + "); write e.g. 10.0.0.0/8 or ::1/128");
            }
        }
        List<CertificateName> certificates = new ArrayList<>();
        for (int i = 0; i < spec.certificates().size(); i++) {
            String c = spec.certificates().get(i);
            try {
                CertificateName name = CertificateName.parse(Objects.requireNonNull(c, "certificate"));
                if (!certificates.contains(name)) {
                    certificates.add(name);
                }
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new PolicyException("certificates[" + i + "]", user + "'" + c + "' " + e.getMessage()
                        + "; write e.g. cn:api-client, dns:api.internal or uri:spiffe://prod.example/ns/app/sa/api");
            }
        }
        int[] dbs = null;
        if (spec.databases() != null) {
            if (spec.databases().isEmpty()) {
                throw new PolicyException("databases", user + "must list at least one database (omit the key to"
                        + " allow all)");
            }
            dbs = new int[spec.databases().size()];
            for (int i = 0; i < dbs.length; i++) {
                Integer db = spec.databases().get(i);
                if (db == null || db < 0) {
                    throw new PolicyException("databases[" + i + "]", user + "a database number must be 0 or"
                            + " greater, got " + db);
                }
                dbs[i] = db;
            }
            Arrays.sort(dbs);
        }
        if (spec.maxConnections() < 0) {
            throw new PolicyException("max_connections", user + "must be 0 (unlimited) or greater");
        }
        if (spec.scripts() != null) {
            for (int i = 0; i < spec.scripts().sha1().size(); i++) {
                String s = spec.scripts().sha1().get(i);
                if (s == null || !s.matches("[0-9a-fA-F]{40}")) {
                    throw new PolicyException("scripts.sha1[" + i + "]", user + "must be a SHA1 of 40 hex digits,"
                            + " got '" + s + "'");
                }
            }
            for (int i = 0; i < spec.scripts().functions().size(); i++) {
                String f = spec.scripts().functions().get(i);
                if (f == null || !f.matches("[A-Za-z0-9_]+")) {
                    throw new PolicyException("scripts.functions[" + i + "]", user + "a function name has only"
                            + " letters, digits and '_', got '" + f + "'");
                }
            }
        }
        ArgRule[][] argRules = new ArgRule[table.size()][];
        for (int i = 0; i < spec.denyArgs().size(); i++) {
            String path = "deny_args[" + i + "]";
            UserSpec.ArgRuleSpec r = spec.denyArgs().get(i);
            CommandSpec target = command(table, r, path, user);
            if (r.option() != null) {
                if (!r.args().isEmpty() || r.anywhere()) {
                    throw new PolicyException(path, user + "'option' cannot be combined with 'args' or 'anywhere';"
                            + " write two rules");
                }
                if (r.option().isBlank() || r.option().chars().anyMatch(c -> c <= ' ')) {
                    throw new PolicyException(path + ".option", user + "must be one keyword such as COUNT");
                }
                if (r.max() == null) {
                    throw new PolicyException(path + ".max", user + "is required with 'option'");
                }
            } else if (r.max() != null) {
                throw new PolicyException(path + ".max", user + "only makes sense with 'option'");
            }
            ArgGlob[] globs = globs(r, path, user);
            ArgRule rule = new ArgRule(target.parent() == null ? 1 : 2, globs, r.anywhere(),
                    r.option() == null ? null : r.option().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8),
                    r.max() == null ? 0 : r.max(),
                    Decision.deny("NOPERM this user has no permissions to run the '" + target.name()
                            + "' command with these arguments", "rule:" + spec.name() + ":" + path));
            add(argRules, target.id(), rule);
        }
        AllowOnly[] allowOnly = new AllowOnly[table.size()];
        for (int i = 0; i < spec.allowOnlyArgs().size(); i++) {
            String path = "allow_only_args[" + i + "]";
            UserSpec.ArgRuleSpec r = spec.allowOnlyArgs().get(i);
            CommandSpec target = command(table, r, path, user);
            if (r.option() != null || r.max() != null || r.anywhere()) {
                throw new PolicyException(path, user + "allow_only_args takes only 'command' and 'args'");
            }
            if (r.args().isEmpty()) {
                throw new PolicyException(path + ".args", user + "must list the allowed arguments (to deny the"
                        + " command, use the acl: -" + target.name() + ")");
            }
            ArgGlob[] globs = globs(r, path, user);
            AllowOnly prev = allowOnly[target.id()];
            if (prev == null) {
                allowOnly[target.id()] = new AllowOnly(target.parent() == null ? 1 : 2, globs,
                        Decision.deny("NOPERM this user has no permissions to run the '" + target.name()
                                + "' command with these arguments", "rule:" + spec.name() + ":" + path));
            } else {
                ArgGlob[] merged = Arrays.copyOf(prev.globs, prev.globs.length + globs.length);
                System.arraycopy(globs, 0, merged, prev.globs.length, globs.length);
                allowOnly[target.id()] = new AllowOnly(prev.argStart, merged, prev.decision);
            }
        }
        return new PolicyUser(spec, rules, table, networks, certificates, dbs, argRules, allowOnly);
    }

    private static CommandSpec command(CommandTable table, UserSpec.ArgRuleSpec r, String path, String user)
            throws PolicyException {
        CommandSpec target = table.byName(r.command().strip());
        if (target == null) {
            throw new PolicyException(path + ".command", user + "'" + r.command() + "' is not a Redis command or"
                    + " subcommand (write a subcommand as container|subcommand, e.g. config|set)");
        }
        return target;
    }

    private static ArgGlob[] globs(UserSpec.ArgRuleSpec r, String path, String user) throws PolicyException {
        ArgGlob[] globs = new ArgGlob[r.args().size()];
        for (int j = 0; j < globs.length; j++) {
            if (r.args().get(j) == null) {
                throw new PolicyException(path + ".args[" + j + "]", user + "must be a glob string");
            }
            globs[j] = new ArgGlob(r.args().get(j));
        }
        return globs;
    }

    private static void add(ArgRule[][] rules, int id, ArgRule rule) {
        ArgRule[] prev = rules[id];
        ArgRule[] next = prev == null ? new ArgRule[1] : Arrays.copyOf(prev, prev.length + 1);
        next[next.length - 1] = rule;
        rules[id] = next;
    }

    // ------------------------------------------------------------------ identity and credentials

    public String name() {
        return spec.name();
    }

    /** {@code on} in the ACL. */
    public boolean enabled() {
        return rules.enabled();
    }

    /** Shadow mode: the user's own rules only report would-be denials; guardrails still deny. */
    public boolean shadow() {
        return spec.shadow();
    }

    /** Whether {@code decision} may be overridden in shadow mode: a denial by this user's own rules. */
    public boolean shadowed(Decision decision) {
        String rule = decision.ruleId();
        return spec.shadow() && !decision.allowed() && rule != null
                && (rule.equals(aclRuleId) || rule.startsWith("rule:" + spec.name() + ":"));
    }

    public boolean nopass() {
        return rules.nopass();
    }

    /**
     * Whether {@code password} is accepted: always for a {@code nopass} user (as Redis), otherwise
     * when its SHA-256 equals one of the user's {@code #hash}es. Every hash is compared, in constant
     * time, with no early exit. Does not look at {@link #enabled()}; see {@link #authenticates}.
     */
    public boolean passwordMatches(byte[] password) {
        if (password == null) {
            return false;
        }
        byte[] digest = PasswordHashing.sha256(password);
        boolean match = false;
        for (byte[] h : hashes) {
            match |= MessageDigest.isEqual(digest, h);
        }
        return match || rules.nopass();
    }

    /** What AUTH decides: the user is {@code on} and {@link #passwordMatches}. */
    public boolean authenticates(byte[] password) {
        boolean ok = passwordMatches(password);
        return ok && enabled();
    }

    /** Whether the user may connect from {@code address}: it lies in one of the source networks, or there are none. */
    public boolean allowsSource(InetAddress address) {
        if (networks.isEmpty()) {
            return true;
        }
        if (address == null) {
            return false;
        }
        for (Cidr c : networks) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The client certificate names that map to this user. */
    public List<CertificateName> certificates() {
        return certificates;
    }

    /** Most concurrent connections as this user; 0 = unlimited. */
    public int maxConnections() {
        return spec.maxConnections();
    }

    /** Whether the user may use database {@code db} (SELECT, SWAPDB, MOVE, COPY ... DB). */
    public boolean allowsDatabase(long db) {
        return databases == null ? db >= 0 : db >= 0 && db <= Integer.MAX_VALUE
                && Arrays.binarySearch(databases, (int) db) >= 0;
    }

    /** The allowed databases, ascending; empty when all are allowed. */
    public List<Integer> databases() {
        if (databases == null) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>();
        for (int d : databases) {
            out.add(d);
        }
        return Collections.unmodifiableList(out);
    }

    /** The user as written in the policy file. */
    public UserSpec spec() {
        return spec;
    }

    public AclRules aclRules() {
        return rules;
    }

    public CompiledAcl acl() {
        return acl;
    }

    String aclRuleId() {
        return aclRuleId;
    }

    // ------------------------------------------------------------------ extra rules (step 4 of decide)

    /** The denial of one of RespGate's extra rules, or null. {@code spec} passed the ACL. */
    Decision checkExtra(CommandSpec spec, CommandFrame frame) {
        int id = spec.id();
        Decision d = checkArgRules(argRulesById[id], frame);
        if (d != null) {
            return d;
        }
        CommandSpec parent = spec.parent();
        if (parent != null) {
            d = checkArgRules(argRulesById[parent.id()], frame);
            if (d != null) {
                return d;
            }
        }
        d = checkAllowOnly(allowOnlyById[id], frame);
        if (d != null) {
            return d;
        }
        if (parent != null) {
            d = checkAllowOnly(allowOnlyById[parent.id()], frame);
            if (d != null) {
                return d;
            }
        }
        int kind = special.kind(id);
        if (kind == Special.NONE) {
            return null;
        }
        switch (kind) {
            case Special.SELECT:
                return dbAllowed(frame, 1) ? null : databaseDenied;
            case Special.SWAPDB:
                return dbAllowed(frame, 1) && dbAllowed(frame, 2) ? null : databaseDenied;
            case Special.MOVE:
                return dbAllowed(frame, 2) ? null : databaseDenied;
            case Special.COPY:
                return copyDbAllowed(frame) ? null : databaseDenied;
            case Special.SORT:
                return checkSort(spec, frame);
            default:
                return scriptsRestricted ? checkScript(kind, frame) : null;
        }
    }

    private static Decision checkArgRules(ArgRule[] rules, CommandFrame frame) {
        if (rules == null) {
            return null;
        }
        for (ArgRule r : rules) {
            if (r.denies(frame)) {
                return r.decision;
            }
        }
        return null;
    }

    private static Decision checkAllowOnly(AllowOnly rule, CommandFrame frame) {
        if (rule == null) {
            return null;
        }
        ByteBuf buf = frame.buffer();
        for (int i = rule.argStart; i < frame.argCount(); i++) {
            boolean ok = false;
            for (ArgGlob g : rule.globs) {
                if (g.matches(buf, frame.argIndex(i), frame.argLength(i))) {
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                return rule.decision;
            }
        }
        return null;
    }

    private boolean dbAllowed(CommandFrame frame, int arg) {
        if (databases == null) {
            return true;
        }
        if (arg >= frame.argCount()) {
            return true; // Redis answers with an arity error
        }
        long db = parseLong(frame, arg);
        return db != Long.MIN_VALUE && allowsDatabase(db);
    }

    /** COPY source destination [DB destination-db] [REPLACE], parsed as copyCommand does. */
    private boolean copyDbAllowed(CommandFrame frame) {
        if (databases == null) {
            return true;
        }
        for (int j = 3; j < frame.argCount(); j++) {
            if (frame.argEqualsIgnoreCase(j, DB) && j + 1 < frame.argCount()) {
                if (!dbAllowed(frame, j + 1)) {
                    return false;
                }
                j++;
            }
        }
        return true;
    }

    private static final byte[] DB = {'D', 'B'};
    private static final byte[] BY = {'B', 'Y'};

    private Decision checkSort(CommandSpec spec, CommandFrame frame) {
        Scratch s = scratch.get();
        s.patternArg = -1;
        spec.forEachSortPattern(frame, s);
        int arg = s.patternArg;
        if (arg < 0 || acl.allowsWithUnrestrictedRead(spec, frame)) {
            return null;
        }
        return frame.argEqualsIgnoreCase(arg - 1, BY) ? sortByDenied : sortGetDenied;
    }

    private Decision checkScript(int kind, CommandFrame frame) {
        int argc = frame.argCount();
        switch (kind) {
            case Special.EVAL:
                return argc > 1 && bodyListed(frame, 1) ? null : scriptDenied;
            case Special.SCRIPT_LOAD:
                return argc > 2 && bodyListed(frame, 2) ? null : scriptDenied;
            case Special.EVALSHA:
                return argc > 1 && listed(frame, 1, scriptSha1Hex) ? null : scriptDenied;
            case Special.FCALL:
                return argc > 1 && listed(frame, 1, functions) ? null : scriptDenied;
            case Special.FUNCTION_LOAD:
                return scriptDenied;
            default:
                return null;
        }
    }

    private boolean bodyListed(CommandFrame frame, int arg) {
        Scratch s = scratch.get();
        MessageDigest md = s.sha1;
        md.reset();
        ByteBuf buf = frame.buffer();
        int index = frame.argIndex(arg);
        int remaining = frame.argLength(arg);
        while (remaining > 0) {
            int n = Math.min(remaining, s.chunk.length);
            buf.getBytes(index, s.chunk, 0, n);
            md.update(s.chunk, 0, n);
            index += n;
            remaining -= n;
        }
        try {
            md.digest(s.digest, 0, s.digest.length);
        } catch (DigestException e) {
            return false;
        }
        boolean match = false;
        for (byte[] allowed : scriptSha1Digests) {
            match |= Arrays.equals(allowed, s.digest);
        }
        return match;
    }

    /** Whether argument {@code arg} equals one of {@code lowerNames}, ASCII case-insensitively. */
    private static boolean listed(CommandFrame frame, int arg, byte[][] lowerNames) {
        ByteBuf buf = frame.buffer();
        int index = frame.argIndex(arg);
        int length = frame.argLength(arg);
        outer:
        for (byte[] name : lowerNames) {
            if (name.length != length) {
                continue;
            }
            for (int i = 0; i < length; i++) {
                if (ArgGlob.lower(buf.getByte(index + i)) != name[i]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** A strictly formatted decimal long (as Redis's string2ll), or Long.MIN_VALUE. */
    static long parseLong(CommandFrame frame, int arg) {
        ByteBuf buf = frame.buffer();
        int index = frame.argIndex(arg);
        int length = frame.argLength(arg);
        if (length == 0 || length > 20) {
            return Long.MIN_VALUE;
        }
        int i = 0;
        boolean negative = buf.getByte(index) == '-';
        if (negative) {
            i++;
            if (length == 1) {
                return Long.MIN_VALUE;
            }
        }
        if (buf.getByte(index + i) == '0' && length > i + 1) {
            return Long.MIN_VALUE;
        }
        long v = 0;
        for (; i < length; i++) {
            byte b = buf.getByte(index + i);
            if (b < '0' || b > '9') {
                return Long.MIN_VALUE;
            }
            if (v > (Long.MAX_VALUE - (b - '0')) / 10) {
                return Long.MIN_VALUE;
            }
            v = v * 10 + (b - '0');
        }
        return negative ? -v : v;
    }

    @Override
    public String toString() {
        return "PolicyUser[" + spec.name() + "]";
    }

    // ------------------------------------------------------------------ compiled pieces

    /** A deny_args rule. */
    static final class ArgRule {
        final int argStart;
        final ArgGlob[] args;
        final boolean anywhere;
        final byte[] option;
        final long max;
        final Decision decision;

        ArgRule(int argStart, ArgGlob[] args, boolean anywhere, byte[] option, long max, Decision decision) {
            this.argStart = argStart;
            this.args = args;
            this.anywhere = anywhere;
            this.option = option;
            this.max = max;
            this.decision = decision;
        }

        boolean denies(CommandFrame frame) {
            int argc = frame.argCount();
            if (option != null) {
                for (int i = argStart; i + 1 < argc; i++) {
                    if (Guardrails.cStringEqualsIgnoreCase(frame, i, option)
                            && frame.argLength(i) == option.length) {
                        long v = parseLong(frame, i + 1);
                        if (v == Long.MIN_VALUE || v > max) {
                            return true;
                        }
                    }
                }
                return false;
            }
            int lastStart = anywhere ? argc - args.length : argStart;
            for (int start = argStart; start <= lastStart; start++) {
                if (start + args.length > argc) {
                    return false;
                }
                if (matchesAt(frame, start)) {
                    return true;
                }
            }
            return false;
        }

        private boolean matchesAt(CommandFrame frame, int start) {
            ByteBuf buf = frame.buffer();
            for (int j = 0; j < args.length; j++) {
                int a = start + j;
                if (!args[j].matches(buf, frame.argIndex(a), frame.argLength(a))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The union of a user's allow_only_args rules for one command. */
    static final class AllowOnly {
        final int argStart;
        final ArgGlob[] globs;
        final Decision decision;

        AllowOnly(int argStart, ArgGlob[] globs, Decision decision) {
            this.argStart = argStart;
            this.globs = globs;
            this.decision = decision;
        }
    }

    /** Per-thread scratch of the hot path, so that checks allocate nothing. */
    private static final class Scratch implements io.respgate.policy.command.KeyVisitor {
        final MessageDigest sha1 = PasswordHashing.digest("SHA-1");
        final byte[] chunk = new byte[8192];
        final byte[] digest = new byte[20];
        int patternArg;

        @Override
        public boolean key(CommandFrame frame, int argIndex, int keyFlags) {
            patternArg = argIndex;
            return false;
        }
    }

    /** Commands the extra rules look at, by id. */
    static final class Special {
        static final byte NONE = 0;
        static final byte SELECT = 1;
        static final byte SWAPDB = 2;
        static final byte MOVE = 3;
        static final byte COPY = 4;
        static final byte SORT = 5;
        static final byte EVAL = 6;
        static final byte EVALSHA = 7;
        static final byte SCRIPT_LOAD = 8;
        static final byte FCALL = 9;
        static final byte FUNCTION_LOAD = 10;

        private final byte[] kinds;

        Special(CommandTable table) {
            kinds = new byte[table.size()];
            set(table, "select", SELECT);
            set(table, "swapdb", SWAPDB);
            set(table, "move", MOVE);
            set(table, "copy", COPY);
            set(table, "sort", SORT);
            set(table, "sort_ro", SORT);
            set(table, "eval", EVAL);
            set(table, "eval_ro", EVAL);
            set(table, "evalsha", EVALSHA);
            set(table, "evalsha_ro", EVALSHA);
            set(table, "script|load", SCRIPT_LOAD);
            set(table, "fcall", FCALL);
            set(table, "fcall_ro", FCALL);
            set(table, "function|load", FUNCTION_LOAD);
            set(table, "function|restore", FUNCTION_LOAD);
        }

        private void set(CommandTable table, String name, byte kind) {
            CommandSpec spec = table.byName(name);
            if (spec != null) {
                kinds[spec.id()] = kind;
            }
        }

        int kind(int id) {
            return kinds[id];
        }
    }
}
