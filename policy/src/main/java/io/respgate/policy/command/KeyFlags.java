package io.respgate.policy.command;

import java.util.ArrayList;
import java.util.List;

/**
 * Key spec flags, with the same bit values as Redis 7.0's {@code CMD_KEY_*} constants and the names
 * {@code COMMAND INFO} / {@code COMMAND GETKEYSANDFLAGS} report.
 *
 * <p>How Redis's ACL turns them into permissions ({@code ACLSelectorCheckKey}): {@link #ACCESS}
 * needs read permission; {@link #INSERT}, {@link #DELETE} and {@link #UPDATE} need write
 * permission; a key visited with none of those (flags 0, as Redis's own key-extraction procedures
 * report for some commands) needs only that some key pattern matches it.
 */
public final class KeyFlags {
    public static final int RO = 1;
    public static final int RW = 1 << 1;
    public static final int OW = 1 << 2;
    public static final int RM = 1 << 3;
    public static final int ACCESS = 1 << 4;
    public static final int UPDATE = 1 << 5;
    public static final int INSERT = 1 << 6;
    public static final int DELETE = 1 << 7;
    public static final int NOT_KEY = 1 << 8;
    public static final int INCOMPLETE = 1 << 9;
    public static final int VARIABLE_FLAGS = 1 << 10;

    private static final String[] NAMES = {
        "RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"
    };

    private KeyFlags() {
    }

    /** The flag named as Redis reports it ({@code RO}, {@code access}, ...), case-insensitive; 0 if unknown. */
    public static int byName(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equalsIgnoreCase(name)) {
                return 1 << i;
            }
        }
        return 0;
    }

    /** The names of the flags set in {@code flags}, in Redis's order. */
    public static List<String> names(int flags) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            if ((flags & (1 << i)) != 0) {
                out.add(NAMES[i]);
            }
        }
        return out;
    }

    /** Whether a key with these flags needs read permission under Redis's ACL rules. */
    public static boolean needsRead(int flags) {
        return (flags & ACCESS) != 0;
    }

    /** Whether a key with these flags needs write permission under Redis's ACL rules. */
    public static boolean needsWrite(int flags) {
        return (flags & (INSERT | DELETE | UPDATE)) != 0;
    }
}
