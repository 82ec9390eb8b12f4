package io.respgate.policy.command;

import io.netty.buffer.Unpooled;
import io.respgate.codec.CommandFrame;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds {@link CommandFrame}s for tests; callers release them. */
public final class Frames {
    private Frames() {
    }

    public static CommandFrame frame(String... args) {
        byte[][] raw = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            raw[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return frame(raw);
    }

    public static CommandFrame frame(byte[]... args) {
        byte[] bytes = RespClient.encode(args);
        int[] spans = new int[args.length * 2];
        int pos = ("*" + args.length + "\r\n").length();
        for (int i = 0; i < args.length; i++) {
            pos += ("$" + args[i].length + "\r\n").length();
            spans[i * 2] = pos;
            spans[i * 2 + 1] = args[i].length;
            pos += args[i].length + 2;
        }
        return new CommandFrame(Unpooled.copiedBuffer(bytes), spans, args.length, false);
    }

    /** Splits a command line on spaces; {@code ''} stands for the empty argument. */
    public static String[] words(String line) {
        List<String> out = new ArrayList<>();
        for (String w : line.trim().split(" +")) {
            out.add(w.equals("''") ? "" : w);
        }
        return out.toArray(new String[0]);
    }

    /** One visited key: its argument index and flags. */
    record Key(int index, int flags) {
    }

    /** Runs {@link CommandSpec#forEachKey}; null when it returned false. */
    static List<Key> keys(CommandSpec spec, CommandFrame frame) {
        List<Key> out = new ArrayList<>();
        boolean ok = spec.forEachKey(frame, (f, i, flags) -> out.add(new Key(i, flags)));
        return ok ? out : null;
    }
}
