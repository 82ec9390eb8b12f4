package io.respgate.policy.command;

import io.respgate.codec.CommandFrame;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Redis commands and subcommands a proxy knows, with lookup of a frame's command without
 * allocation. Immutable; {@link #withLearned} builds a new table.
 *
 * <p>{@link #redis70()} is generated from a live Redis 7.0 by {@code CommandTableGenerator} (see
 * {@code policy/gen-command-table}) into the resource {@code redis-7.0-commands.txt}, whose format
 * {@code CommandTableFormat} describes; {@code CommandTableDriftTest} checks it against the live
 * server.
 */
public final class CommandTable {
    /** Classpath resource of {@link #redis70()}. */
    public static final String REDIS70_RESOURCE = "/io/respgate/policy/command/redis-7.0-commands.txt";

    private final List<CommandSpec> all;
    private final List<CommandSpec> topLevel;
    private final NameIndex index;
    private final Map<String, CommandSpec> byName;

    /** @param defs specs in id order; a subcommand {@code a|b} after its container {@code a} */
    private CommandTable(List<CommandSpec> defs) {
        List<CommandSpec> linked = new ArrayList<>(defs.size());
        List<CommandSpec> top = new ArrayList<>();
        Map<String, CommandSpec> names = new HashMap<>();
        Map<CommandSpec, List<CommandSpec>> children = new HashMap<>();
        for (CommandSpec def : defs) {
            CommandSpec spec = new CommandSpec(def);
            if (names.putIfAbsent(spec.name(), spec) != null) {
                throw new IllegalArgumentException("duplicate command " + spec.name());
            }
            int bar = spec.name().indexOf('|');
            CommandSpec parent = null;
            if (bar >= 0) {
                parent = names.get(spec.name().substring(0, bar));
                if (parent == null || parent.parent() != null) {
                    throw new IllegalArgumentException("subcommand " + spec.name() + " has no container before it");
                }
                children.computeIfAbsent(parent, p -> new ArrayList<>()).add(spec);
            } else {
                top.add(spec);
            }
            spec.link(linked.size(), parent);
            linked.add(spec);
        }
        for (CommandSpec spec : linked) {
            List<CommandSpec> subs = new ArrayList<>(children.getOrDefault(spec, List.of()));
            subs.sort((a, b) -> a.name().compareTo(b.name()));
            spec.linkSubcommands(subs);
        }
        this.all = List.copyOf(linked);
        this.topLevel = List.copyOf(top);
        this.index = new NameIndex(top);
        this.byName = Map.copyOf(names);
    }

    /** The commands of Redis 7.0, loaded once from the generated resource. */
    public static CommandTable redis70() {
        return Redis70.TABLE;
    }

    private static final class Redis70 {
        static final CommandTable TABLE = load();

        private static CommandTable load() {
            try (InputStream in = CommandTable.class.getResourceAsStream(REDIS70_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + REDIS70_RESOURCE);
                }
                return parse(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load " + REDIS70_RESOURCE, e);
            }
        }
    }

    /** Reads a table in the resource format; the stream is not closed. */
    public static CommandTable parse(InputStream resource) throws IOException {
        List<CommandSpec> defs = CommandTableFormat.read(resource);
        try {
            return new CommandTable(defs);
        } catch (IllegalArgumentException e) {
            throw new IOException("bad command table: " + e.getMessage(), e);
        }
    }

    /**
     * The command of {@code frame}: argument 0, ignoring ASCII case; for a container command
     * ({@code CONFIG}, {@code CLIENT}, {@code ACL}, {@code XINFO}, {@code OBJECT}, ...) argument 1
     * resolved to the subcommand when present and known, else the container itself. Null if the
     * command is unknown. Names are compared like Redis's {@code strcasecmp}: up to the first NUL
     * byte of the argument. Allocation-free.
     */
    public CommandSpec lookup(CommandFrame frame) {
        CommandSpec spec = index.find(frame, 0);
        if (spec == null || frame.argCount() < 2) {
            return spec;
        }
        NameIndex subs = spec.subIndex();
        if (subs == null) {
            return spec;
        }
        CommandSpec sub = subs.find(frame, 1);
        return sub != null ? sub : spec;
    }

    /** The command named {@code name} ({@code get}, {@code config|set}), ignoring case; null if unknown. */
    public CommandSpec byName(String name) {
        return name == null ? null : byName.get(name.toLowerCase(Locale.ROOT));
    }

    /** Every command and subcommand, in id order. */
    public List<CommandSpec> all() {
        return all;
    }

    /** The top-level commands, in id order, each with its {@link CommandSpec#subcommands()}. */
    public List<CommandSpec> commands() {
        return topLevel;
    }

    /** The number of commands and subcommands: ids are {@code 0..size()-1}. */
    public int size() {
        return all.size();
    }

    /**
     * A new table with {@code extra} appended: their ids continue after this table's, which keep
     * theirs. A top-level extra brings its subcommands along; an extra named {@code container|sub}
     * joins that container (known here or among {@code extra}).
     *
     * @throws IllegalArgumentException if an extra is already known or a subcommand's container is not
     */
    public CommandTable withLearned(List<CommandSpec> extra) {
        List<CommandSpec> defs = new ArrayList<>(all);
        List<CommandSpec> subs = new ArrayList<>();
        for (CommandSpec spec : extra) {
            if (spec.name().indexOf('|') >= 0) {
                subs.add(spec);
            } else {
                defs.add(spec);
                defs.addAll(spec.subcommands());
            }
        }
        defs.addAll(subs);
        return new CommandTable(defs);
    }
}
