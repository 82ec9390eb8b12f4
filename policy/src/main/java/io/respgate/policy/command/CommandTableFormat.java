package io.respgate.policy.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The text format of a command table resource. One line per command and per key spec; {@code #}
 * starts a comment line; fields are separated by single spaces; {@code -} is an empty list.
 *
 * <pre>
 * cmd &lt;name&gt; &lt;arity&gt; &lt;flags,...&gt; &lt;acl categories,...&gt; &lt;first&gt;:&lt;last&gt;:&lt;step&gt; &lt;tips,...&gt;
 * key &lt;key flags,...&gt; &lt;begin_search&gt; &lt;find_keys&gt;
 *
 *   begin_search: index:&lt;pos&gt; | keyword:&lt;KEYWORD&gt;:&lt;startfrom&gt; | unknown
 *   find_keys:    range:&lt;lastkey&gt;:&lt;keystep&gt;:&lt;limit&gt; | keynum:&lt;keynumidx&gt;:&lt;firstkey&gt;:&lt;keystep&gt; | unknown
 * </pre>
 *
 * {@code key} lines belong to the {@code cmd} line above them, in Redis's key spec order. A
 * subcommand is a {@code cmd} line named {@code container|sub} after its container's lines. Flags,
 * categories and tips are written as {@code COMMAND INFO} reports them (categories without {@code @}).
 * Commands are sorted by name, subcommands by name under their container.
 *
 * <pre>
 * cmd get 2 readonly,fast read,string,fast 1:1:1 -
 * key RO,access index:1 range:0:1:0
 * </pre>
 */
final class CommandTableFormat {
    private CommandTableFormat() {
    }

    /** Reads a table: the specs in id order (each container followed by its subcommands). */
    static List<CommandSpec> read(InputStream in) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        List<CommandSpec> out = new ArrayList<>();
        String[] cmd = null;
        List<KeySpec> keys = new ArrayList<>();
        int cmdLine = 0;
        int lineNo = 0;
        String line;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ", -1);
            try {
                if (f[0].equals("cmd")) {
                    if (cmd != null) {
                        out.add(command(cmd, keys));
                    }
                    if (f.length != 7) {
                        throw new IllegalArgumentException("a cmd line has 7 fields");
                    }
                    cmd = f;
                    cmdLine = lineNo;
                    keys = new ArrayList<>();
                } else if (f[0].equals("key")) {
                    if (cmd == null || f.length != 4) {
                        throw new IllegalArgumentException("a key line has 4 fields and follows a cmd line");
                    }
                    keys.add(keySpec(f));
                } else {
                    throw new IllegalArgumentException("unknown line type '" + f[0] + "'");
                }
            } catch (RuntimeException e) {
                throw new IOException("command table line " + lineNo + ": " + e.getMessage(), e);
            }
        }
        if (cmd != null) {
            try {
                out.add(command(cmd, keys));
            } catch (RuntimeException e) {
                throw new IOException("command table line " + cmdLine + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static CommandSpec command(String[] f, List<KeySpec> keys) {
        long categories = 0;
        for (String c : list(f[4])) {
            AclCategory category = AclCategory.byAclName(c);
            if (category == null) {
                throw new IllegalArgumentException("unknown ACL category '" + c + "'");
            }
            categories |= category.bit();
        }
        int[] range = ints(f[5], 3);
        return new CommandSpec(f[1], Integer.parseInt(f[2]), list(f[3]), categories, list(f[6]),
                range[0], range[1], range[2], keys, List.of());
    }

    private static KeySpec keySpec(String[] f) {
        int flags = 0;
        for (String name : list(f[1])) {
            int flag = KeyFlags.byName(name);
            if (flag == 0) {
                throw new IllegalArgumentException("unknown key flag '" + name + "'");
            }
            flags |= flag;
        }
        String[] b = f[2].split(":", -1);
        String[] k = f[3].split(":", -1);
        KeySpec.BeginSearch begin;
        int index = 0;
        String keyword = null;
        int startFrom = 0;
        switch (b[0]) {
            case "index":
                expect(b, 2);
                begin = KeySpec.BeginSearch.INDEX;
                index = Integer.parseInt(b[1]);
                break;
            case "keyword":
                expect(b, 3);
                begin = KeySpec.BeginSearch.KEYWORD;
                keyword = b[1];
                startFrom = Integer.parseInt(b[2]);
                break;
            case "unknown":
                expect(b, 1);
                begin = KeySpec.BeginSearch.UNKNOWN;
                break;
            default:
                throw new IllegalArgumentException("unknown begin_search '" + f[2] + "'");
        }
        KeySpec.FindKeys find;
        int lastKey = 0;
        int keyStep = 0;
        int limit = 0;
        int keyNumIndex = 0;
        int firstKey = 0;
        switch (k[0]) {
            case "range":
                expect(k, 4);
                find = KeySpec.FindKeys.RANGE;
                lastKey = Integer.parseInt(k[1]);
                keyStep = Integer.parseInt(k[2]);
                limit = Integer.parseInt(k[3]);
                break;
            case "keynum":
                expect(k, 4);
                find = KeySpec.FindKeys.KEYNUM;
                keyNumIndex = Integer.parseInt(k[1]);
                firstKey = Integer.parseInt(k[2]);
                keyStep = Integer.parseInt(k[3]);
                break;
            case "unknown":
                expect(k, 1);
                find = KeySpec.FindKeys.UNKNOWN;
                break;
            default:
                throw new IllegalArgumentException("unknown find_keys '" + f[3] + "'");
        }
        return new KeySpec(flags, begin, index, keyword, startFrom, find, lastKey, keyStep, limit, keyNumIndex, firstKey);
    }

    /** Writes {@code specs} (top-level commands with their subcommands) in the order given. */
    static String write(List<CommandSpec> specs, String header) {
        StringBuilder sb = new StringBuilder();
        for (String h : header.split("\n", -1)) {
            if (!h.isEmpty()) {
                sb.append("# ").append(h).append('\n');
            }
        }
        for (CommandSpec spec : CommandSpec.flatten(specs)) {
            sb.append(line(spec));
        }
        return sb.toString();
    }

    /** The lines of one command or subcommand (not its subcommands). */
    static String line(CommandSpec spec) {
        StringBuilder sb = new StringBuilder();
        List<String> categories = new ArrayList<>();
        for (AclCategory c : AclCategory.values()) {
            if ((spec.categories() & c.bit()) != 0) {
                categories.add(c.aclName());
            }
        }
        sb.append("cmd ").append(token(spec.name())).append(' ').append(spec.arity())
                .append(' ').append(join(List.copyOf(spec.flags())))
                .append(' ').append(join(categories))
                .append(' ').append(spec.firstKey()).append(':').append(spec.lastKey()).append(':').append(spec.keyStep())
                .append(' ').append(join(spec.tips())).append('\n');
        for (KeySpec k : spec.keySpecs()) {
            sb.append("key ").append(join(KeyFlags.names(k.flags()))).append(' ');
            switch (k.beginSearch()) {
                case INDEX -> sb.append("index:").append(k.index());
                case KEYWORD -> sb.append("keyword:").append(token(k.keyword())).append(':').append(k.startFrom());
                default -> sb.append("unknown");
            }
            sb.append(' ');
            switch (k.findKeys()) {
                case RANGE -> sb.append("range:").append(k.lastKey()).append(':').append(k.keyStep()).append(':').append(k.limit());
                case KEYNUM -> sb.append("keynum:").append(k.keyNumIndex()).append(':').append(k.firstKey()).append(':').append(k.keyStep());
                default -> sb.append("unknown");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String join(List<String> items) {
        if (items.isEmpty()) {
            return "-";
        }
        for (String item : items) {
            if (item.isEmpty() || item.equals("-") || item.chars().anyMatch(c -> c <= ' ' || c == ',')) {
                throw new IllegalArgumentException("cannot write list item '" + item + "'");
            }
        }
        return String.join(",", items);
    }

    private static String token(String s) {
        if (s.isEmpty() || s.chars().anyMatch(c -> c <= ' ' || c == ':' || c == '#')) {
            throw new IllegalArgumentException("cannot write '" + s + "' as a single token");
        }
        return s;
    }

    private static List<String> list(String field) {
        return field.equals("-") ? List.of() : Arrays.asList(field.split(",", -1));
    }

    private static int[] ints(String field, int n) {
        String[] parts = field.split(":", -1);
        if (parts.length != n) {
            throw new IllegalArgumentException("expected " + n + " numbers in '" + field + "'");
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = Integer.parseInt(parts[i]);
        }
        return out;
    }

    private static void expect(String[] parts, int n) {
        if (parts.length != n) {
            throw new IllegalArgumentException("expected " + n + " parts in '" + String.join(":", parts) + "'");
        }
    }
}
