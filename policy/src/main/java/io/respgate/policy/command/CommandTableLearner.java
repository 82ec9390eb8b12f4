package io.respgate.policy.command;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns {@code COMMAND} / {@code COMMAND INFO} replies into {@link CommandSpec}s: the generator
 * builds the Redis 7.0 table with it, and the proxy can learn what its table lacks from the upstream
 * ({@link #learn}) and add it with {@link CommandTable#withLearned}. Learning only describes commands;
 * whether a learned command may run is the policy's decision (unknown commands stay denied until a
 * rule names them).
 *
 * <p>Learned commands get no command-specific key procedure: when their key specs cannot say which
 * arguments are keys, {@link CommandSpec#forEachKey} returns false and the caller denies.
 */
public final class CommandTableLearner {
    private CommandTableLearner() {
    }

    /**
     * The specs in a {@code COMMAND} or {@code COMMAND INFO name...} reply that {@code table} lacks:
     * unknown commands (with their subcommands), and unknown subcommands of known containers (named
     * {@code container|sub}). Null entries (names Redis does not know) are skipped. Unknown ACL
     * categories are ignored; a key spec with an unknown flag or type is kept as incomplete, so its
     * command's keys cannot be determined and it fails closed.
     */
    public static List<CommandSpec> learn(CommandTable table, RespValue reply) {
        List<CommandSpec> out = new ArrayList<>();
        for (CommandSpec spec : parseReply(reply, false)) {
            CommandSpec known = table.byName(spec.name());
            if (known == null) {
                out.add(spec);
            } else {
                for (CommandSpec sub : spec.subcommands()) {
                    if (table.byName(sub.name()) == null) {
                        out.add(sub);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Parses every entry of a {@code COMMAND} / {@code COMMAND INFO} reply, each with its
     * subcommands. In strict mode an unknown ACL category, key flag or key spec type is an error
     * (the generator uses it, so the resource describes everything exactly).
     *
     * @throws IllegalArgumentException if the reply does not have the shape of a COMMAND INFO reply
     */
    public static List<CommandSpec> parseReply(RespValue reply, boolean strict) {
        if (!(reply instanceof RespValue.Arr arr)) {
            throw new IllegalArgumentException("COMMAND INFO reply is not an array: " + reply);
        }
        List<CommandSpec> out = new ArrayList<>();
        for (RespValue entry : arr.items()) {
            if (entry != RespValue.Nil.INSTANCE) {
                out.add(parseEntry(entry, strict));
            }
        }
        return out;
    }

    /** Parses one {@code COMMAND INFO} entry with its subcommands. */
    public static CommandSpec parseEntry(RespValue entry, boolean strict) {
        List<RespValue> f = entry.items();
        if (f.size() < 6) {
            throw new IllegalArgumentException("COMMAND INFO entry with " + f.size() + " fields: " + entry);
        }
        String name = text(f.get(0), "name");
        int arity = integer(f.get(1), "arity");
        List<String> flags = strings(f.get(2));
        int first = integer(f.get(3), "first key");
        int last = integer(f.get(4), "last key");
        int step = integer(f.get(5), "key step");
        long categories = 0;
        if (f.size() > 6) {
            for (String c : strings(f.get(6))) {
                AclCategory category = AclCategory.byAclName(c.startsWith("@") ? c.substring(1) : c);
                if (category != null) {
                    categories |= category.bit();
                } else if (strict) {
                    throw new IllegalArgumentException(name + ": unknown ACL category " + c);
                }
            }
        }
        List<String> tips = f.size() > 7 ? strings(f.get(7)) : List.of();
        List<KeySpec> keySpecs = new ArrayList<>();
        if (f.size() > 8) {
            for (RespValue ks : f.get(8).items()) {
                keySpecs.add(keySpec(name, ks, strict));
            }
        }
        List<CommandSpec> subs = new ArrayList<>();
        if (f.size() > 9) {
            for (RespValue sub : f.get(9).items()) {
                subs.add(parseEntry(sub, strict));
            }
        }
        subs.sort((a, b) -> a.name().compareTo(b.name()));
        return new CommandSpec(name, arity, flags, categories, tips, first, last, step, keySpecs, subs);
    }

    private static KeySpec keySpec(String command, RespValue value, boolean strict) {
        Map<String, RespValue> map = map(value);
        int flags = 0;
        boolean doubtful = false;
        for (String flag : strings(map.getOrDefault("flags", RespValue.Nil.INSTANCE))) {
            int bit = KeyFlags.byName(flag);
            if (bit == 0) {
                if (strict) {
                    throw new IllegalArgumentException(command + ": unknown key spec flag " + flag);
                }
                doubtful = true;
            }
            flags |= bit;
        }
        Map<String, RespValue> bs = map(map.getOrDefault("begin_search", RespValue.Nil.INSTANCE));
        Map<String, RespValue> bsSpec = map(bs.getOrDefault("spec", RespValue.Nil.INSTANCE));
        String bsType = String.valueOf(bs.getOrDefault("type", RespValue.Nil.INSTANCE).asString());
        KeySpec.BeginSearch begin;
        int index = 0;
        String keyword = null;
        int startFrom = 0;
        switch (bsType) {
            case "index" -> {
                begin = KeySpec.BeginSearch.INDEX;
                index = integer(bsSpec.get("index"), "index");
            }
            case "keyword" -> {
                begin = KeySpec.BeginSearch.KEYWORD;
                keyword = text(bsSpec.get("keyword"), "keyword");
                startFrom = integer(bsSpec.get("startfrom"), "startfrom");
            }
            case "unknown" -> begin = KeySpec.BeginSearch.UNKNOWN;
            default -> {
                if (strict) {
                    throw new IllegalArgumentException(command + ": unknown begin_search type " + bsType);
                }
                begin = KeySpec.BeginSearch.UNKNOWN;
            }
        }
        Map<String, RespValue> fk = map(map.getOrDefault("find_keys", RespValue.Nil.INSTANCE));
        Map<String, RespValue> fkSpec = map(fk.getOrDefault("spec", RespValue.Nil.INSTANCE));
        String fkType = String.valueOf(fk.getOrDefault("type", RespValue.Nil.INSTANCE).asString());
        KeySpec.FindKeys find;
        int lastKey = 0;
        int keyStep = 0;
        int limit = 0;
        int keyNumIndex = 0;
        int firstKey = 0;
        switch (fkType) {
            case "range" -> {
                find = KeySpec.FindKeys.RANGE;
                lastKey = integer(fkSpec.get("lastkey"), "lastkey");
                keyStep = integer(fkSpec.get("keystep"), "keystep");
                limit = integer(fkSpec.get("limit"), "limit");
            }
            case "keynum" -> {
                find = KeySpec.FindKeys.KEYNUM;
                keyNumIndex = integer(fkSpec.get("keynumidx"), "keynumidx");
                firstKey = integer(fkSpec.get("firstkey"), "firstkey");
                keyStep = integer(fkSpec.get("keystep"), "keystep");
            }
            case "unknown" -> find = KeySpec.FindKeys.UNKNOWN;
            default -> {
                if (strict) {
                    throw new IllegalArgumentException(command + ": unknown find_keys type " + fkType);
                }
                find = KeySpec.FindKeys.UNKNOWN;
            }
        }
        if (doubtful) {
            flags |= KeyFlags.INCOMPLETE;
        }
        return new KeySpec(flags, begin, index, keyword, startFrom, find, lastKey, keyStep, limit, keyNumIndex, firstKey);
    }

    private static Map<String, RespValue> map(RespValue value) {
        List<RespValue> items = value.items();
        Map<String, RespValue> map = new HashMap<>();
        for (int i = 0; i + 1 < items.size(); i += 2) {
            String key = items.get(i).asString();
            if (key != null) {
                map.put(key, items.get(i + 1));
            }
        }
        return map;
    }

    private static List<String> strings(RespValue value) {
        List<String> out = new ArrayList<>();
        for (RespValue item : value.items()) {
            String s = item.asString();
            if (s == null) {
                throw new IllegalArgumentException("expected a string, got " + item);
            }
            out.add(s);
        }
        return out;
    }

    private static String text(RespValue value, String what) {
        String s = value == null ? null : value.asString();
        if (s == null) {
            throw new IllegalArgumentException("missing " + what);
        }
        return s;
    }

    private static int integer(RespValue value, String what) {
        if (value instanceof RespValue.Int i && i.value() >= Integer.MIN_VALUE && i.value() <= Integer.MAX_VALUE) {
            return (int) i.value();
        }
        throw new IllegalArgumentException("missing or bad " + what + ": " + value);
    }
}
