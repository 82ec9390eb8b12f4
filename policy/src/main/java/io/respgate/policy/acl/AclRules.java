package io.respgate.policy.acl;

import io.respgate.policy.command.AclCategory;
import io.respgate.policy.command.CommandSpec;
import io.respgate.policy.command.CommandTable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One user's rights written in Redis ACL {@code SETUSER} syntax, parsed and applied left to right
 * exactly as Redis 7.0's {@code ACLSetUser}/{@code ACLSetSelector} apply them to a freshly created
 * user, and kept as the resulting immutable state. {@link #compile()} turns it into the fast
 * {@link CompiledAcl}.
 *
 * <pre>{@code
 * AclRules rules = AclRules.parse("on #<sha256 hex> ~app:* &app:* +@all -@dangerous");
 * CompiledAcl acl = rules.compile();
 * }</pre>
 *
 * <p>Everything Redis rejects is rejected with Redis's reason ({@link AclRuleException}), and
 * {@code >password} / {@code <password} are rejected because policy files must not hold plaintext
 * secrets. Channel defaults follow Redis 7.0's default {@code acl-pubsub-default resetchannels}.
 */
public final class AclRules {
    static final String PLAINTEXT_REFUSED =
            "plaintext passwords are not accepted in policy files; use #<sha256>";

    private final CommandTable table;
    private final String source;
    private final boolean enabled;
    private final boolean nopass;
    private final boolean skipSanitizePayload;
    private final List<String> passwordHashes;
    private final AclSelector root;
    private final List<AclSelector> selectors;

    private AclRules(CommandTable table, String source, boolean enabled, boolean nopass, boolean skipSanitizePayload,
                     List<String> passwordHashes, AclSelector root, List<AclSelector> selectors) {
        this.table = table;
        this.source = source;
        this.enabled = enabled;
        this.nopass = nopass;
        this.skipSanitizePayload = skipSanitizePayload;
        this.passwordHashes = Collections.unmodifiableList(new ArrayList<>(passwordHashes));
        this.root = root;
        this.selectors = Collections.unmodifiableList(new ArrayList<>(selectors));
    }

    /** Parses {@code rules} against Redis 7.0's command table. */
    public static AclRules parse(String rules) {
        return parse(rules, CommandTable.redis70());
    }

    /**
     * Parses {@code rules}: whitespace-separated rules as they would be given to {@code ACL SETUSER}
     * (a selector may span several words, as Redis merges them).
     */
    public static AclRules parse(String rules, CommandTable table) {
        byte[] text = rules.getBytes(StandardCharsets.UTF_8);
        List<byte[]> ops = new ArrayList<>();
        int i = 0;
        while (i < text.length) {
            while (i < text.length && SplitArgs.isSpace(text[i])) {
                i++;
            }
            int start = i;
            while (i < text.length && !SplitArgs.isSpace(text[i])) {
                i++;
            }
            if (i > start) {
                ops.add(Arrays.copyOfRange(text, start, i));
            }
        }
        return parse(ops, table, rules);
    }

    /** Applies {@code ops} as the arguments of {@code ACL SETUSER name op...} would be applied to a new user. */
    public static AclRules parse(List<byte[]> ops, CommandTable table) {
        StringBuilder b = new StringBuilder();
        for (byte[] op : ops) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(redact(op));
        }
        return parse(ops, table, b.toString());
    }

    private static AclRules parse(List<byte[]> ops, CommandTable table, String source) {
        UserState user = new UserState(new Universe(table));
        for (byte[] op : mergeSelectors(ops)) {
            user.apply(op);
        }
        return new AclRules(table, redactSource(source), user.enabled, user.nopass, user.skipSanitize,
                user.hashes, user.root.build(), user.selectors.stream().map(SelectorState::build).toList());
    }

    /** Redis's {@code ACLMergeSelectorArguments}, quirks included. */
    private static List<byte[]> mergeSelectors(List<byte[]> ops) {
        List<byte[]> out = new ArrayList<>();
        StringBuilderBytes selector = null;
        byte[] openedBy = null;
        for (byte[] op : ops) {
            if (op.length > 0 && op[0] == '(' && op[op.length - 1] != ')') {
                selector = new StringBuilderBytes(op);
                openedBy = op;
                continue;
            }
            if (selector != null) {
                selector.append((byte) ' ').append(op);
                if (op.length > 0 && op[op.length - 1] == ')') {
                    out.add(selector.toBytes());
                    selector = null;
                }
                continue;
            }
            out.add(op);
        }
        if (selector != null) {
            throw new AclRuleException(null,
                    "Unmatched parenthesis in acl selector starting at '" + redact(openedBy) + "'.");
        }
        return out;
    }

    public CommandTable table() {
        return table;
    }

    /** The rules as given, with any plaintext password redacted. */
    public String source() {
        return source;
    }

    /** {@code on} (true) or {@code off}; a new user is off. */
    public boolean enabled() {
        return enabled;
    }

    public boolean nopass() {
        return nopass;
    }

    public boolean skipSanitizePayload() {
        return skipSanitizePayload;
    }

    /** SHA-256 hex hashes of the accepted passwords, in the order added. */
    public List<String> passwordHashes() {
        return passwordHashes;
    }

    /** The user's root permissions (the rules outside parentheses). */
    public AclSelector root() {
        return root;
    }

    /** The {@code (...)} selectors, in order. */
    public List<AclSelector> selectors() {
        return selectors;
    }

    public CompiledAcl compile() {
        return new CompiledAcl(this);
    }

    @Override
    public String toString() {
        return "AclRules[" + source + "]";
    }

    // ---------------------------------------------------------------- redaction

    static String redact(byte[] op) {
        return redactSource(new String(op, StandardCharsets.UTF_8));
    }

    /**
     * Replaces everything from a '>' or '<' to the end of its word by a placeholder. Not only at the start
     * of a word: in a mistyped rule the password need not start one ({@code on>secret}, or a non-breaking
     * space copied from a web page, which separates nothing), and the message quotes the whole rule.
     */
    static String redactSource(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '>' || c == '<') {
                b.append(c).append("(redacted)");
                while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                continue;
            }
            b.append(c);
            i++;
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- helpers

    /** A growable byte string. */
    private static final class StringBuilderBytes {
        private byte[] buf;
        private int len;

        StringBuilderBytes(byte[] first) {
            buf = Arrays.copyOf(first, Math.max(16, first.length * 2));
            len = first.length;
        }

        StringBuilderBytes append(byte b) {
            ensure(1);
            buf[len++] = b;
            return this;
        }

        StringBuilderBytes append(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            return this;
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        byte[] toBytes() {
            return Arrays.copyOf(buf, len);
        }
    }

    /** The C string view of {@code b}: up to its first NUL, as strcasecmp/strrchr/sdsnew see it. */
    static byte[] cString(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return Arrays.copyOf(b, i);
            }
        }
        return b;
    }

    /** ASCII case-insensitive equality of C strings. */
    static boolean strcaseEq(byte[] c, String keyword) {
        if (c.length != keyword.length()) {
            return false;
        }
        for (int i = 0; i < c.length; i++) {
            if (lower(c[i]) != lower((byte) keyword.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean strcaseEq(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (lower(a[i]) != lower(b[i])) {
                return false;
            }
        }
        return true;
    }

    static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- the command universe

    /** The command table seen the way acl.c sees it: top-level commands and their subcommands. */
    static final class Universe {
        final CommandTable table;
        final List<CommandSpec> topLevel = new ArrayList<>();
        final int idCount;

        Universe(CommandTable table) {
            this.table = table;
            int max = -1;
            for (CommandSpec spec : table.all()) {
                if (spec.parent() == null) {
                    topLevel.add(spec);
                }
            }
            for (CommandSpec spec : topLevel) {
                max = Math.max(max, spec.id());
                for (CommandSpec sub : subs(spec)) {
                    max = Math.max(max, sub.id());
                }
            }
            idCount = max + 1;
        }

        static List<CommandSpec> subs(CommandSpec spec) {
            List<CommandSpec> s = spec.subcommands();
            return s == null ? List.of() : s;
        }

        CommandSpec topLevel(byte[] name) {
            for (CommandSpec spec : topLevel) {
                if (strcaseEq(name, spec.name())) {
                    return spec;
                }
            }
            return null;
        }

        /** Redis's {@code ACLLookupCommand} / {@code lookupCommandBySdsLogic} with strict matching. */
        CommandSpec lookup(byte[] name) {
            List<byte[]> parts = splitBar(name);
            if (parts.isEmpty() || parts.size() > 2) {
                return null;
            }
            CommandSpec base = topLevel(parts.get(0));
            boolean hasSubs = base != null && !subs(base).isEmpty();
            if (parts.size() == 1 || !hasSubs) {
                return parts.size() == 1 ? base : null;
            }
            byte[] sub = parts.get(1);
            for (CommandSpec s : subs(base)) {
                String n = s.name();
                String subName = n.substring(n.indexOf('|') + 1);
                if (strcaseEq(sub, subName)) {
                    return s;
                }
            }
            return null;
        }

        /** {@code sdssplitlen(s, len, "|", 1)}. */
        private static List<byte[]> splitBar(byte[] s) {
            List<byte[]> out = new ArrayList<>();
            if (s.length == 0) {
                return out;
            }
            int start = 0;
            for (int i = 0; i < s.length; i++) {
                if (s[i] == '|') {
                    out.add(Arrays.copyOfRange(s, start, i));
                    start = i + 1;
                }
            }
            out.add(Arrays.copyOfRange(s, start, s.length));
            return out;
        }
    }

    // ---------------------------------------------------------------- mutable state while applying rules

    private static final class UserState {
        final Universe universe;
        boolean enabled;
        boolean nopass;
        boolean skipSanitize;
        final List<String> hashes = new ArrayList<>();
        SelectorState root;
        final List<SelectorState> selectors = new ArrayList<>();

        UserState(Universe universe) {
            this.universe = universe;
            this.root = new SelectorState(universe);
        }

        void apply(byte[] op) {
            if (op.length == 0) {
                return;
            }
            byte[] c = cString(op);
            String shown = redact(op);
            if (strcaseEq(c, "on")) {
                enabled = true;
            } else if (strcaseEq(c, "off")) {
                enabled = false;
            } else if (strcaseEq(c, "skip-sanitize-payload")) {
                skipSanitize = true;
            } else if (strcaseEq(c, "sanitize-payload")) {
                skipSanitize = false;
            } else if (strcaseEq(c, "nopass")) {
                nopass = true;
                hashes.clear();
            } else if (strcaseEq(c, "resetpass")) {
                nopass = false;
                hashes.clear();
            } else if (op[0] == '>' || op[0] == '<') {
                throw new AclRuleException(op[0] + "(redacted)", PLAINTEXT_REFUSED);
            } else if (op[0] == '#') {
                String hash = checkHash(op, shown);
                if (!hashes.contains(hash)) {
                    hashes.add(hash);
                }
                nopass = false;
            } else if (op[0] == '!') {
                String hash = checkHash(op, shown);
                if (!hashes.remove(hash)) {
                    throw new AclRuleException(shown,
                            "The password you are trying to remove from the user does not exist");
                }
            } else if (op[0] == '(' && op[op.length - 1] == ')') {
                SelectorState s = new SelectorState(universe);
                List<byte[]> args = SplitArgs.split(Arrays.copyOfRange(op, 1, op.length - 1));
                if (args != null) {
                    for (byte[] a : args) {
                        s.apply(a, shown);
                    }
                }
                selectors.add(s);
            } else if (strcaseEq(c, "clearselectors")) {
                selectors.clear();
            } else if (strcaseEq(c, "reset")) {
                nopass = false;
                hashes.clear();
                root.apply(bytes("resetkeys"), shown);
                root.apply(bytes("resetchannels"), shown);
                enabled = false;
                skipSanitize = false;
                selectors.clear();
                root.apply(bytes("-@all"), shown);
            } else {
                root.apply(op, shown);
            }
        }

        private static String checkHash(byte[] op, String shown) {
            if (op.length - 1 != 64) {
                throw badHash(shown);
            }
            for (int i = 1; i < op.length; i++) {
                byte b = op[i];
                if ((b < 'a' || b > 'f') && (b < '0' || b > '9')) {
                    throw badHash(shown);
                }
            }
            return new String(op, 1, 64, StandardCharsets.US_ASCII);
        }

        private static AclRuleException badHash(String shown) {
            return new AclRuleException(shown,
                    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters");
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final class SelectorState {
        static final String SYNTAX = "Syntax error";
        static final String UNKNOWN = "Unknown command or category name in ACL";

        final Universe universe;
        final long[] bits;
        boolean allCommandsFlag;
        boolean futureCommands;
        final List<List<byte[]>> firstArgs;
        boolean allKeys;
        final List<KeyPattern> patterns = new ArrayList<>();
        boolean allChannels;
        final List<byte[]> channels = new ArrayList<>();

        SelectorState(Universe universe) {
            this.universe = universe;
            this.bits = new long[(universe.idCount + 63) >>> 6];
            this.firstArgs = new ArrayList<>(Collections.nCopies(universe.idCount, null));
        }

        AclSelector build() {
            byte[][][] fa = new byte[universe.idCount][][];
            for (int i = 0; i < fa.length; i++) {
                List<byte[]> l = firstArgs.get(i);
                fa[i] = l == null ? null : l.toArray(new byte[0][]);
            }
            return new AclSelector(bits.clone(), allCommandsFlag, futureCommands, fa, allKeys, patterns,
                    allChannels, channels);
        }

        /** {@code ACLSetSelector}. {@code shown} is the user-level rule, for messages. */
        void apply(byte[] op, String shown) {
            byte[] c = cString(op);
            byte op0 = op.length > 0 ? op[0] : 0;
            byte op1 = op.length > 1 ? op[1] : 0;
            if (strcaseEq(c, "allkeys") || strcaseEq(c, "~*")) {
                allKeys = true;
                patterns.clear();
            } else if (strcaseEq(c, "resetkeys")) {
                allKeys = false;
                patterns.clear();
            } else if (strcaseEq(c, "allchannels") || strcaseEq(c, "&*")) {
                allChannels = true;
                channels.clear();
            } else if (strcaseEq(c, "resetchannels")) {
                allChannels = false;
                channels.clear();
            } else if (strcaseEq(c, "allcommands") || strcaseEq(c, "+@all")) {
                Arrays.fill(bits, -1L);
                allCommandsFlag = true;
                futureCommands = true;
                Collections.fill(firstArgs, null);
            } else if (strcaseEq(c, "nocommands") || strcaseEq(c, "-@all")) {
                Arrays.fill(bits, 0L);
                allCommandsFlag = false;
                futureCommands = false;
                Collections.fill(firstArgs, null);
            } else if (op0 == '~' || op0 == '%') {
                addKeyPattern(op, shown);
            } else if (op0 == '&') {
                if (allChannels) {
                    throw new AclRuleException(shown, "Adding a pattern after the * pattern (or the 'allchannels' flag) "
                            + "is not valid and does not have any effect. Try 'resetchannels' to start with an empty "
                            + "list of channels");
                }
                byte[] pattern = Arrays.copyOfRange(op, 1, op.length);
                if (hasSpaces(pattern)) {
                    throw new AclRuleException(shown, SYNTAX);
                }
                boolean present = false;
                for (byte[] ch : channels) {
                    present |= Arrays.equals(ch, pattern);
                }
                if (!present) {
                    channels.add(pattern);
                }
                allChannels = false;
            } else if (op0 == '+' && op1 != '@') {
                allowCommand(c, shown);
            } else if (op0 == '-' && op1 != '@') {
                CommandSpec cmd = universe.lookup(Arrays.copyOfRange(c, 1, c.length));
                if (cmd == null) {
                    throw new AclRuleException(shown, UNKNOWN);
                }
                changePerm(cmd, false);
            } else if ((op0 == '+' || op0 == '-') && op1 == '@') {
                AclCategory category = category(Arrays.copyOfRange(c, 2, c.length));
                if (category == null) {
                    throw new AclRuleException(shown, UNKNOWN);
                }
                boolean allow = op0 == '+';
                for (CommandSpec spec : universe.topLevel) {
                    if ((spec.categories() & category.bit()) != 0) {
                        changePerm(spec, allow);
                    }
                    for (CommandSpec sub : Universe.subs(spec)) {
                        if ((sub.categories() & category.bit()) != 0) {
                            changePerm(sub, allow);
                        }
                    }
                }
            } else {
                throw new AclRuleException(shown, SYNTAX);
            }
        }

        private static AclCategory category(byte[] name) {
            for (AclCategory cat : AclCategory.values()) {
                if (strcaseEq(name, cat.aclName())) {
                    return cat;
                }
            }
            return null;
        }

        private void allowCommand(byte[] c, String shown) {
            int bar = -1;
            for (int i = c.length - 1; i >= 0; i--) {
                if (c[i] == '|') {
                    bar = i;
                    break;
                }
            }
            if (bar < 0) {
                CommandSpec cmd = universe.lookup(Arrays.copyOfRange(c, 1, c.length));
                if (cmd == null) {
                    throw new AclRuleException(shown, UNKNOWN);
                }
                changePerm(cmd, true);
                return;
            }
            CommandSpec cmd = universe.lookup(Arrays.copyOfRange(c, 1, bar));
            if (cmd == null) {
                throw new AclRuleException(shown, UNKNOWN);
            }
            if (cmd.parent() != null) {
                throw new AclRuleException(shown, "Allowing first-arg of a subcommand is not supported");
            }
            byte[] sub = Arrays.copyOfRange(c, bar + 1, c.length);
            if (sub.length == 0) {
                throw new AclRuleException(shown, SYNTAX);
            }
            if (!Universe.subs(cmd).isEmpty()) {
                CommandSpec subcommand = universe.lookup(Arrays.copyOfRange(c, 1, c.length));
                if (subcommand == null) {
                    throw new AclRuleException(shown, UNKNOWN);
                }
                changePerm(subcommand, true);
            } else {
                // Redis 7.0 accepts this with a deprecation warning in its log: the command stays
                // denied except when its first argument equals (ignoring case) one of these.
                List<byte[]> l = firstArgs.get(cmd.id());
                if (l == null) {
                    l = new ArrayList<>();
                    firstArgs.set(cmd.id(), l);
                }
                for (byte[] existing : l) {
                    if (strcaseEq(existing, sub)) {
                        return;
                    }
                }
                l.add(sub);
            }
        }

        /** {@code ACLChangeSelectorPerm}: the command, and for a container all its subcommands. */
        private void changePerm(CommandSpec cmd, boolean allow) {
            setBit(cmd.id(), allow);
            firstArgs.set(cmd.id(), null);
            for (CommandSpec sub : Universe.subs(cmd)) {
                setBit(sub.id(), allow);
            }
        }

        private void setBit(int id, boolean value) {
            if (value) {
                bits[id >>> 6] |= 1L << id;
            } else {
                bits[id >>> 6] &= ~(1L << id);
                allCommandsFlag = false;
            }
        }

        private void addKeyPattern(byte[] op, String shown) {
            if (allKeys) {
                throw new AclRuleException(shown, "Adding a pattern after the * pattern (or the 'allkeys' flag) is not "
                        + "valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns");
            }
            boolean read = false;
            boolean write = false;
            int offset = 1;
            if (op[0] == '%') {
                for (; offset < op.length; offset++) {
                    byte b = op[offset];
                    if ((b == 'R' || b == 'r') && !read) {
                        read = true;
                    } else if ((b == 'W' || b == 'w') && !write) {
                        write = true;
                    } else if (b == '~' && (read || write)) {
                        offset++;
                        break;
                    } else {
                        throw new AclRuleException(shown, SYNTAX);
                    }
                }
                if (!read && !write) {
                    throw new AclRuleException(shown, SYNTAX);
                }
            } else {
                read = true;
                write = true;
            }
            byte[] pattern = Arrays.copyOfRange(op, offset, op.length);
            if (hasSpaces(pattern)) {
                throw new AclRuleException(shown, SYNTAX);
            }
            for (int i = 0; i < patterns.size(); i++) {
                if (patterns.get(i).samePattern(pattern)) {
                    patterns.set(i, patterns.get(i).merge(read, write));
                    allKeys = false;
                    return;
                }
            }
            patterns.add(new KeyPattern(pattern, read, write));
            allKeys = false;
        }

        /** {@code ACLStringHasSpaces}: C isspace or NUL. */
        private static boolean hasSpaces(byte[] s) {
            for (byte b : s) {
                if (b == 0 || SplitArgs.isSpace(b)) {
                    return true;
                }
            }
            return false;
        }
    }
}
