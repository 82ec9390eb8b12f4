package io.respgate.policy.command;

import io.respgate.codec.CommandFrame;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One Redis command or subcommand as {@code COMMAND INFO} describes it, and the key extraction Redis
 * 7.0's ACL check performs for it. Immutable once its {@link CommandTable} is built.
 */
public final class CommandSpec {
    static final int MALFORMED = -1;
    static final int STOPPED = 0;
    static final int DONE = 1;

    private final String name;
    private final int arity;
    private final Set<String> flags;
    private final long categories;
    private final List<String> tips;
    private final int firstKey;
    private final int lastKey;
    private final int keyStep;
    private final List<KeySpec> keySpecs;
    private final KeySpec[] specs;
    private final byte[][] keywords;
    /** Upper-case name as matched in a frame: the whole name, or the part after '|' for a subcommand. */
    private final byte[] lookupName;
    private final KeyProc proc;
    /** Redis's {@code has_keyspec && !has_varflags}: whether it tries the key specs first. */
    private final boolean useSpecs;
    private final boolean hasVarFlags;
    private final boolean noMandatoryKeys;
    private final boolean movableKeys;

    // Set once while the owning table is built, never afterwards.
    private int id = -1;
    private CommandSpec parent;
    private List<CommandSpec> subcommands;
    private NameIndex subIndex;

    /**
     * An unlinked spec; a {@link CommandTable} links a copy of it (id, parent, subcommands).
     *
     * @param flags      command flags as {@code COMMAND INFO} reports them ({@code write}, {@code no_auth}, ...)
     * @param categories OR of {@link AclCategory#bit()}
     */
    CommandSpec(String name, int arity, List<String> flags, long categories, List<String> tips,
                int firstKey, int lastKey, int keyStep, List<KeySpec> keySpecs, List<CommandSpec> subcommands) {
        this.name = name.toLowerCase(Locale.ROOT);
        if (this.name.isEmpty() || this.name.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("bad command name '" + name + "'");
        }
        this.arity = arity;
        this.flags = Collections.unmodifiableSet(new LinkedHashSet<>(flags));
        this.categories = categories;
        this.tips = List.copyOf(tips);
        this.firstKey = firstKey;
        this.lastKey = lastKey;
        this.keyStep = keyStep;
        this.keySpecs = List.copyOf(keySpecs);
        this.specs = this.keySpecs.toArray(new KeySpec[0]);
        this.keywords = new byte[specs.length][];
        int allFlags = 0;
        int missingFlags = 0;
        for (int i = 0; i < specs.length; i++) {
            if (specs[i].keyword() != null) {
                keywords[i] = Args.upper(specs[i].keyword());
            }
            allFlags |= specs[i].flags();
            missingFlags |= ~specs[i].flags();
        }
        int bar = this.name.indexOf('|');
        this.lookupName = Args.upper(bar < 0 ? this.name : this.name.substring(bar + 1));
        this.proc = KeyProc.forCommand(this.name);
        this.hasVarFlags = (allFlags & KeyFlags.VARIABLE_FLAGS) != 0;
        boolean hasKeySpec = (missingFlags & KeyFlags.NOT_KEY) != 0;
        this.useSpecs = hasKeySpec && !hasVarFlags;
        this.noMandatoryKeys = this.flags.contains("no_mandatory_keys");
        this.movableKeys = this.flags.contains("movablekeys");
        this.subcommands = List.copyOf(subcommands);
    }

    /** A copy of {@code def} to be linked into a table. */
    CommandSpec(CommandSpec def) {
        this(def.name, def.arity, List.copyOf(def.flags), def.categories, def.tips, def.firstKey, def.lastKey,
                def.keyStep, def.keySpecs, List.of());
    }

    void link(int id, CommandSpec parent) {
        this.id = id;
        this.parent = parent;
    }

    void linkSubcommands(List<CommandSpec> subs) {
        this.subcommands = List.copyOf(subs);
        this.subIndex = subs.isEmpty() ? null : new NameIndex(subs);
    }

    byte[] lookupName() {
        return lookupName;
    }

    NameIndex subIndex() {
        return subIndex;
    }

    /** Lower case; subcommands as {@code config|set}. */
    public String name() {
        return name;
    }

    /** Dense index over the commands and subcommands of the owning table; -1 for an unlinked (learned) spec. */
    public int id() {
        return id;
    }

    /** Redis arity: the exact argument count including the command name, or at least {@code -arity} when negative. */
    public int arity() {
        return arity;
    }

    /** Whether a frame with {@code argc} arguments passes Redis's arity check for this command. */
    public boolean arityMatches(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    /**
     * Whether {@code COMMAND INFO} reports the flag ({@code write}, {@code readonly}, {@code admin},
     * {@code noscript}, {@code no_auth}, ...). Redis writes multi-word flags with {@code _}; a
     * {@code -} in {@code flag} is accepted in its place ({@code no-auth}).
     */
    public boolean hasFlag(String flag) {
        if (flags.contains(flag)) {
            return true;
        }
        return flag.indexOf('-') >= 0 && flags.contains(flag.replace('-', '_'));
    }

    /** The command flags, in the order {@code COMMAND INFO} reports them. */
    public Set<String> flags() {
        return flags;
    }

    /** OR of {@link AclCategory#bit()}. */
    public long categories() {
        return categories;
    }

    public boolean inCategory(AclCategory category) {
        return (categories & category.bit()) != 0;
    }

    /** Command tips ({@code nondeterministic_output}, {@code request_policy:all_shards}, ...). */
    public List<String> tips() {
        return tips;
    }

    /** Legacy first key position from {@code COMMAND INFO}. */
    public int firstKey() {
        return firstKey;
    }

    /** Legacy last key position from {@code COMMAND INFO}. */
    public int lastKey() {
        return lastKey;
    }

    /** Legacy key step from {@code COMMAND INFO}. */
    public int keyStep() {
        return keyStep;
    }

    /** The container for a subcommand; null for a top-level command. */
    public CommandSpec parent() {
        return parent;
    }

    /** Subcommands, sorted by name; empty if none. */
    public List<CommandSpec> subcommands() {
        return subcommands;
    }

    public List<KeySpec> keySpecs() {
        return keySpecs;
    }

    /**
     * Visits every key argument of this command in {@code frame} that Redis 7.0's ACL check would
     * check, with the flags it would check it with, in Redis's order; then, for {@code SORT} and
     * {@code GEORADIUS}/{@code GEORADIUSBYMEMBER}, the destination key the command really writes when
     * that differs from the one Redis's ACL checks (a repeated {@code STORE} option: Redis checks one
     * and writes another, see {@code KeyProc}). Allocation-free.
     *
     * <p>Like Redis ({@code getKeysFromCommandWithSpecs}): when every key spec is complete and valid
     * for the frame, their keys are visited (all specs, not just the first); otherwise the command's
     * key-extraction procedure decides. The patterns of {@code SORT ... BY/GET} are not keys to Redis's
     * ACL key check; see {@link #forEachSortPattern}.
     *
     * @return false, having visited nothing, when the frame is malformed for this command: the arity
     *     is wrong, or a key count is not an integer, negative, or larger than the arguments, or the
     *     keys cannot be determined without a procedure this table lacks (learned commands). Redis
     *     rejects such commands itself (or would check no key), so the caller should deny. True
     *     otherwise, also when {@code visitor} stopped the visit.
     */
    public boolean forEachKey(CommandFrame frame, KeyVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        int argc = frame.argCount();
        if (!arityMatches(argc)) {
            return false;
        }
        int result;
        boolean specPath = false;
        if (useSpecs && runSpecs(frame, null) == DONE) {
            specPath = true;
            result = runSpecs(frame, visitor);
        } else if (proc != null) {
            // Dry run first, so that a malformed frame visits nothing.
            if (proc.visit(this, frame, null) == MALFORMED) {
                return false;
            }
            result = proc.visit(this, frame, visitor);
        } else if (useSpecs || hasVarFlags || movableKeys) {
            return false;
        } else {
            result = DONE;
        }
        if (result == DONE && proc != null) {
            result = proc.visitExtra(this, frame, visitor, specPath);
        }
        return result != MALFORMED;
    }

    /**
     * Visits the {@code BY} and {@code GET} pattern arguments of {@code SORT} / {@code SORT_RO} that
     * make Redis read keys derived from the pattern, as {@code sortCommandGeneric} parses them: a
     * {@code BY} pattern only when it contains {@code *} (otherwise Redis does not sort and reads no
     * key), and every {@code GET} pattern ({@code #} included: Redis treats it alike). Visited with
     * {@code RO|ACCESS}. Visits nothing for other commands.
     *
     * <p>Redis 7.0 does not match these patterns against key patterns. Its ACL check (and so
     * {@code ACL DRYRUN}) ignores them; {@code SORT} itself then refuses {@code BY} (with a
     * {@code *}) and {@code GET} with {@code -ERR BY|GET option of SORT denied due to insufficient
     * ACL permissions.} unless a selector that allows the whole command also has unrestricted read
     * access: {@code allkeys}, or a key pattern that is exactly {@code *} with read permission
     * ({@code ~*}, {@code %R~*}, {@code %RW~*}).
     *
     * @return false if the arity is wrong; true otherwise
     */
    public boolean forEachSortPattern(CommandFrame frame, KeyVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        if (!arityMatches(frame.argCount())) {
            return false;
        }
        if (proc == KeyProc.SORT || proc == KeyProc.SORT_RO) {
            KeyProc.walkSort(frame, proc == KeyProc.SORT_RO, visitor);
        }
        return true;
    }

    /**
     * Redis's {@code getKeysUsingKeySpecs} without {@code GET_KEYSPEC_RETURN_PARTIAL}: validates
     * (visitor null) or visits.
     */
    private int runSpecs(CommandFrame frame, KeyVisitor visitor) {
        int argc = frame.argCount();
        for (int j = 0; j < specs.length; j++) {
            KeySpec spec = specs[j];
            if ((spec.flags() & KeyFlags.NOT_KEY) != 0) {
                continue;
            }
            int first;
            switch (spec.beginSearch()) {
                case INDEX:
                    first = spec.index();
                    if (first <= 0) {
                        return MALFORMED;
                    }
                    break;
                case KEYWORD:
                    first = keywordSearch(frame, j);
                    if (first == 0) {
                        continue;
                    }
                    break;
                default:
                    return MALFORMED;
            }
            int last;
            int step = spec.keyStep();
            switch (spec.findKeys()) {
                case RANGE:
                    if (spec.lastKey() >= 0) {
                        last = first + spec.lastKey();
                    } else if (spec.limit() == 0) {
                        last = argc + spec.lastKey();
                    } else if (spec.lastKey() == -1 && spec.limit() > 0) {
                        last = first + ((argc - first) / spec.limit() + spec.lastKey());
                    } else {
                        return MALFORMED;
                    }
                    break;
                case KEYNUM:
                    int countIndex = first + spec.keyNumIndex();
                    if (spec.keyNumIndex() < 0 || spec.keyNumIndex() >= argc || countIndex >= argc) {
                        return MALFORMED;
                    }
                    long numKeys = Args.string2ll(frame, countIndex);
                    if (numKeys == Args.INVALID || numKeys < 0 || numKeys > argc) {
                        return MALFORMED;
                    }
                    first += spec.firstKey();
                    last = first + (int) numKeys - 1;
                    break;
                default:
                    return MALFORMED;
            }
            if (step <= 0 || last >= argc || last < first || first >= argc) {
                return MALFORMED;
            }
            if (visitor != null) {
                for (int i = first; i <= last; i += step) {
                    if (!visitor.key(frame, i, spec.flags())) {
                        return STOPPED;
                    }
                }
            }
            if ((spec.flags() & KeyFlags.INCOMPLETE) != 0) {
                return MALFORMED;
            }
        }
        return DONE;
    }

    /** Where key spec {@code j}'s keyword search puts the first key, or 0 if the keyword is absent. */
    int keywordSearch(CommandFrame frame, int j) {
        int argc = frame.argCount();
        int startFrom = specs[j].startFrom();
        int start = startFrom > 0 ? startFrom : argc + startFrom;
        int end = startFrom > 0 ? argc - 1 : 1;
        for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
            if (i >= argc || i < 1) {
                break;
            }
            if (Args.is(frame, i, keywords[j])) {
                return i + 1;
            }
        }
        return 0;
    }

    int keySpecCount() {
        return specs.length;
    }

    boolean noMandatoryKeys() {
        return noMandatoryKeys;
    }

    @Override
    public String toString() {
        return "CommandSpec[" + name + ", id=" + id + ", arity=" + arity + "]";
    }

    static List<CommandSpec> flatten(List<CommandSpec> specs) {
        List<CommandSpec> out = new ArrayList<>();
        for (CommandSpec spec : specs) {
            out.add(spec);
            out.addAll(spec.subcommands());
        }
        return out;
    }
}
