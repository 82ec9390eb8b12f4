package io.respgate.policy.command;

import io.netty.buffer.ByteBuf;
import io.respgate.codec.CommandFrame;

import java.util.List;

/**
 * Finds a command (or a container's subcommand) by the bytes of one frame argument, ignoring ASCII
 * case, without allocating: an open-addressing table over case-folded name hashes.
 *
 * <p>Like Redis's command dictionary, which compares names with {@code strcasecmp}, an argument is
 * matched only up to its first NUL byte: {@code "get\0x"} is resolved as {@code get}. Redis itself
 * may or may not find it (its hash covers the whole argument), so checking it as {@code get} is the
 * safe reading either way.
 */
final class NameIndex {
    private final CommandSpec[] slots;
    private final int[] hashes;
    private final int mask;

    NameIndex(List<CommandSpec> specs) {
        int size = Integer.highestOneBit(Math.max(4, specs.size() * 2 - 1)) << 1;
        slots = new CommandSpec[size];
        hashes = new int[size];
        mask = size - 1;
        for (CommandSpec spec : specs) {
            byte[] name = spec.lookupName();
            int h = hash(name);
            int i = h & mask;
            while (slots[i] != null) {
                if (java.util.Arrays.equals(slots[i].lookupName(), name)) {
                    throw new IllegalArgumentException("duplicate command name " + spec.name());
                }
                i = (i + 1) & mask;
            }
            slots[i] = spec;
            hashes[i] = h;
        }
    }

    /** The spec named by argument {@code arg} of {@code frame}, or null. */
    CommandSpec find(CommandFrame frame, int arg) {
        ByteBuf buf = frame.buffer();
        int idx = frame.argIndex(arg);
        int len = Args.cLength(frame, arg);
        int h = 0x811c9dc5;
        for (int k = 0; k < len; k++) {
            h = (h ^ fold(buf.getByte(idx + k))) * 0x01000193;
        }
        for (int i = h & mask; ; i = (i + 1) & mask) {
            CommandSpec spec = slots[i];
            if (spec == null) {
                return null;
            }
            if (hashes[i] == h && matches(spec.lookupName(), buf, idx, len)) {
                return spec;
            }
        }
    }

    private static boolean matches(byte[] upper, ByteBuf buf, int idx, int len) {
        if (upper.length != len) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (fold(buf.getByte(idx + k)) != upper[k]) {
                return false;
            }
        }
        return true;
    }

    private static int hash(byte[] upper) {
        int h = 0x811c9dc5;
        for (byte b : upper) {
            h = (h ^ b) * 0x01000193;
        }
        return h;
    }

    private static byte fold(byte b) {
        return b >= 'a' && b <= 'z' ? (byte) (b - 32) : b;
    }
}
