package io.respgate.policy.acl;

import io.respgate.policy.command.CommandSpec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The end state of one Redis 7 ACL selector after its rules were applied: the root permissions of
 * a user, or one {@code (...)} selector. Immutable.
 */
public final class AclSelector {
    final long[] commandBits;
    final boolean allCommandsFlag;
    final boolean futureCommands;
    /** First-args allowed per command id ({@code +select|0}); null entries when there are none. */
    final byte[][][] firstArgs;
    final boolean allKeys;
    final List<KeyPattern> keyPatterns;
    final boolean allChannels;
    final List<byte[]> channels;

    AclSelector(long[] commandBits, boolean allCommandsFlag, boolean futureCommands, byte[][][] firstArgs,
                boolean allKeys, List<KeyPattern> keyPatterns, boolean allChannels, List<byte[]> channels) {
        this.commandBits = commandBits;
        this.allCommandsFlag = allCommandsFlag;
        this.futureCommands = futureCommands;
        this.firstArgs = firstArgs;
        this.allKeys = allKeys;
        this.keyPatterns = Collections.unmodifiableList(new ArrayList<>(keyPatterns));
        this.allChannels = allChannels;
        this.channels = Collections.unmodifiableList(new ArrayList<>(channels));
    }

    /** Whether the command bit of {@code spec} is set (first-arg exceptions not considered). */
    public boolean commandBit(CommandSpec spec) {
        int id = spec.id();
        return (commandBits[id >>> 6] & (1L << id)) != 0;
    }

    /** Whether {@code allcommands} / {@code +@all} is in force with nothing removed since. */
    public boolean allCommands() {
        return allCommandsFlag;
    }

    /** Whether the selector will also allow commands added to the table later ({@code +@all} was its base). */
    public boolean futureCommands() {
        return futureCommands;
    }

    public boolean allKeys() {
        return allKeys;
    }

    public List<KeyPattern> keyPatterns() {
        return keyPatterns;
    }

    public boolean allChannels() {
        return allChannels;
    }

    /** Channel patterns as UTF-8 text. */
    public List<String> channelPatterns() {
        List<String> out = new ArrayList<>(channels.size());
        for (byte[] c : channels) {
            out.add(new String(c, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** First-args allowed for otherwise denied commands, by command id ({@code +select|0}). */
    public Map<Integer, List<String>> firstArgs() {
        Map<Integer, List<String>> out = new TreeMap<>();
        for (int id = 0; id < firstArgs.length; id++) {
            if (firstArgs[id] != null) {
                List<String> l = new ArrayList<>();
                for (byte[] a : firstArgs[id]) {
                    l.add(new String(a, StandardCharsets.UTF_8));
                }
                out.put(id, l);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(allKeys ? "allkeys" : "keys=" + keyPatterns);
        b.append(allChannels ? " allchannels" : " channels=" + channelPatterns());
        b.append(" commands=").append(Arrays.stream(commandBits).map(Long::bitCount).sum());
        return b.toString();
    }
}
