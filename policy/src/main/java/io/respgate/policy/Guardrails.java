package io.respgate.policy;

import io.netty.buffer.ByteBuf;
import io.respgate.codec.CommandFrame;
import io.respgate.policy.command.CommandSpec;
import io.respgate.policy.command.CommandTable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operator's global guardrails: commands that turn Redis against its host or its data, denied
 * for every user before any user rule is looked at. No user rule can lift them; only the policy
 * file's {@code guardrails.allow} can, and {@link #lint()} warns about every such widening.
 *
 * <p>Entries are named in lower case: a command ({@code flushall}; a container such as
 * {@code module} covers all its subcommands), a subcommand ({@code client|kill}), or a
 * {@code CONFIG SET} parameter ({@code config|set dir}). Input is case-insensitive. In
 * {@code allow}, an entry lifts every default entry it names or contains: {@code config|set} lifts
 * all {@code config|set <param>} entries, {@code cluster} all {@code cluster|...} entries, and
 * {@code @all} lifts them all (for test setups). {@code deny} adds entries; {@code config|set} there
 * denies {@code CONFIG SET} entirely.
 *
 * <p>{@code CONFIG SET} takes several parameter/value pairs in Redis 7.0; every parameter is checked,
 * case-insensitively and up to a NUL byte (as Redis's {@code strcasecmp} would read it).
 *
 * <p>Immutable; {@link #check} allocates nothing.
 */
public final class Guardrails {
    /** The CONFIG SET parameters of Redis 7.0 that name files or directories. */
    public static final List<String> CONFIG_SET_PATH_PARAMETERS = List.of(
            "dir", "dbfilename", "logfile", "appendfilename", "appenddirname", "unixsocket", "pidfile",
            "aclfile", "cluster-config-file", "tls-cert-file", "tls-key-file", "tls-client-cert-file",
            "tls-client-key-file", "tls-dh-params-file", "tls-ca-cert-file", "tls-ca-cert-dir");

    /** CLUSTER subcommands that only read; every other CLUSTER subcommand is a default guardrail. */
    public static final Set<String> CLUSTER_READ_SUBCOMMANDS = Set.of(
            "info", "nodes", "slots", "shards", "myid", "keyslot", "countkeysinslot", "getkeysinslot",
            "links", "help", "replicas", "slaves", "count-failure-reports");

    private static final List<String> DEFAULT_COMMANDS = List.of(
            "module", "debug", "replicaof", "slaveof", "sync", "psync", "monitor", "shutdown", "failover",
            "migrate", "flushall", "flushdb", "swapdb", "bgsave", "save", "bgrewriteaof", "client|kill",
            // ACL writes. ACL DRYRUN only simulates (and sees the upstream's users, not RespGate's):
            // left to user rules, like the other reads (LIST, GETUSER, CAT, LOG, WHOAMI, GENPASS).
            "acl|setuser", "acl|deluser", "acl|load", "acl|save");

    private static final String ALL = "@all";

    private final CommandTable table;
    private final List<String> allow;
    private final List<String> deny;
    private final Set<String> entries;
    private final Map<String, List<String>> lifted;
    private final Decision[] byId;
    private final int configSetId;
    private final byte[][] paramNames;
    private final Decision[] paramDecisions;

    private Guardrails(CommandTable table, List<String> allow, List<String> deny, Set<String> entries,
                       Map<String, List<String>> lifted) {
        this.table = table;
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
        this.entries = Collections.unmodifiableSet(new TreeSet<>(entries));
        this.lifted = Collections.unmodifiableMap(new LinkedHashMap<>(lifted));
        this.byId = new Decision[table.size()];
        List<byte[]> names = new ArrayList<>();
        List<Decision> decisions = new ArrayList<>();
        CommandSpec configSet = table.byName("config|set");
        this.configSetId = configSet == null ? -1 : configSet.id();
        for (String entry : this.entries) {
            int space = entry.indexOf(' ');
            if (space >= 0) {
                names.add(entry.substring(space + 1).getBytes(StandardCharsets.UTF_8));
                decisions.add(decision(entry));
                continue;
            }
            CommandSpec spec = table.byName(entry);
            Decision d = decision(entry);
            byId[spec.id()] = d;
            for (CommandSpec sub : spec.subcommands()) {
                if (byId[sub.id()] == null || entry.indexOf('|') < 0) {
                    byId[sub.id()] = d;
                }
            }
        }
        this.paramNames = names.toArray(new byte[0][]);
        this.paramDecisions = decisions.toArray(new Decision[0]);
    }

    private static Decision decision(String entry) {
        return Decision.deny("NOPERM this command is blocked by the RespGate guardrail '" + entry
                + "' (set by the operator; no user rule can lift it)", "guardrail:" + entry);
    }

    /** The default entries, in a stable order. */
    public static List<String> defaultEntries() {
        return defaultEntries(CommandTable.redis70());
    }

    /** The default entries for {@code table}: the fixed list, CLUSTER's non-read subcommands, CONFIG SET paths. */
    public static List<String> defaultEntries(CommandTable table) {
        List<String> out = new ArrayList<>(DEFAULT_COMMANDS);
        CommandSpec cluster = table.byName("cluster");
        if (cluster != null) {
            for (CommandSpec sub : cluster.subcommands()) {
                String name = sub.name().substring(sub.name().indexOf('|') + 1);
                if (!CLUSTER_READ_SUBCOMMANDS.contains(name)) {
                    out.add(sub.name());
                }
            }
        }
        for (String p : CONFIG_SET_PATH_PARAMETERS) {
            out.add("config|set " + p);
        }
        out.removeIf(e -> table.byName(e.split(" ")[0]) == null);
        return List.copyOf(out);
    }

    /** The default guardrails over Redis 7.0's commands. */
    public static Guardrails defaults() {
        try {
            return of(List.of(), List.of());
        } catch (PolicyException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Guardrails of(List<String> allow, List<String> deny) throws PolicyException {
        return of(allow, deny, CommandTable.redis70());
    }

    /**
     * The defaults with {@code allow} lifted and {@code deny} added.
     *
     * @throws PolicyException (path {@code allow[i]} / {@code deny[i]}) for an entry that names no
     *     default entry (allow) or no known command (deny), or an entry in both lists
     */
    public static Guardrails of(List<String> allow, List<String> deny, CommandTable table) throws PolicyException {
        List<String> defaults = defaultEntries(table);
        Set<String> active = new LinkedHashSet<>(defaults);
        Map<String, List<String>> lifted = new LinkedHashMap<>();
        List<String> allowNorm = new ArrayList<>();
        for (int i = 0; i < allow.size(); i++) {
            String e = normalize("allow[" + i + "]", allow.get(i));
            allowNorm.add(e);
            List<String> hits = new ArrayList<>();
            for (String d : defaults) {
                if (e.equals(ALL) || d.equals(e) || d.startsWith(e + "|") || d.startsWith(e + " ")) {
                    hits.add(d);
                }
            }
            if (hits.isEmpty()) {
                throw new PolicyException("allow[" + i + "]", "'" + e + "' is not a default guardrail entry"
                        + " (nor contains one); the defaults are: " + String.join(", ", defaults));
            }
            active.removeAll(hits);
            lifted.put(e, hits);
        }
        List<String> denyNorm = new ArrayList<>();
        for (int i = 0; i < deny.size(); i++) {
            String path = "deny[" + i + "]";
            String e = normalize(path, deny.get(i));
            if (e.equals(ALL)) {
                throw new PolicyException(path, "'@all' can only be used in guardrails.allow");
            }
            int space = e.indexOf(' ');
            String command = space < 0 ? e : e.substring(0, space);
            if (table.byName(command) == null) {
                throw new PolicyException(path, "'" + command + "' is not a Redis command or subcommand"
                        + " (write a subcommand as container|subcommand, e.g. client|kill)");
            }
            if (space >= 0 && !command.equals("config|set")) {
                throw new PolicyException(path, "only 'config|set <parameter>' may name an argument, got '" + e + "'");
            }
            for (String a : allowNorm) {
                if (a.equals(ALL) || e.equals(a) || e.startsWith(a + "|") || e.startsWith(a + " ")) {
                    throw new PolicyException(path, "'" + e + "' is also lifted by guardrails.allow '" + a + "'");
                }
            }
            denyNorm.add(e);
            active.add(e);
        }
        return new Guardrails(table, allowNorm, denyNorm, active, lifted);
    }

    private static String normalize(String path, String entry) throws PolicyException {
        if (entry == null || entry.isBlank()) {
            throw new PolicyException(path, "must be a command name such as 'flushall', 'client|kill' or"
                    + " 'config|set dir'");
        }
        String e = entry.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        if (e.chars().anyMatch(c -> c < ' ' || c == 0x7f) || e.split(" ").length > 2) {
            throw new PolicyException(path, "must be a command name such as 'flushall', 'client|kill' or"
                    + " 'config|set dir'");
        }
        return e;
    }

    /** The active entries, sorted. */
    public Set<String> entries() {
        return entries;
    }

    /** The {@code allow} list as configured (normalized). */
    public List<String> allowed() {
        return allow;
    }

    /** The {@code deny} list as configured (normalized). */
    public List<String> denied() {
        return deny;
    }

    public CommandTable table() {
        return table;
    }

    /** One warning per widening of the defaults (each {@code allow} entry), naming what it lifts. */
    public List<String> lint() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : lifted.entrySet()) {
            if (e.getKey().equals(ALL)) {
                out.add("guardrails.allow: '@all' lifts every default guardrail (" + e.getValue().size()
                        + " entries); use it only for test setups");
            } else {
                out.add("guardrails.allow: '" + e.getKey() + "' widens the default guardrails, lifting: "
                        + String.join(", ", e.getValue()));
            }
        }
        return out;
    }

    /**
     * The denial for {@code frame} if a guardrail blocks it, else null. {@code spec} must come from
     * {@link #table()}. Allocation-free.
     */
    public Decision check(CommandSpec spec, CommandFrame frame) {
        int id = spec.id();
        if (id < 0 || id >= byId.length) {
            return null;
        }
        Decision d = byId[id];
        if (d != null || id != configSetId || paramNames.length == 0) {
            return d;
        }
        int argc = frame.argCount();
        for (int i = 2; i < argc; i += 2) {
            for (int j = 0; j < paramNames.length; j++) {
                if (cStringEqualsIgnoreCase(frame, i, paramNames[j])) {
                    return paramDecisions[j];
                }
            }
        }
        return null;
    }

    /** {@code strcasecmp(arg, name) == 0}: the argument read up to its first NUL. */
    static boolean cStringEqualsIgnoreCase(CommandFrame frame, int arg, byte[] lowerName) {
        ByteBuf buf = frame.buffer();
        int index = frame.argIndex(arg);
        int length = frame.argLength(arg);
        int n = 0;
        while (n < length && buf.getByte(index + n) != 0) {
            n++;
        }
        if (n != lowerName.length) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (ArgGlob.lower(buf.getByte(index + i)) != lowerName[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Guardrails" + entries;
    }
}
