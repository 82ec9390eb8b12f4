package io.respgate.policy.acl;

import io.netty.buffer.ByteBuf;
import io.respgate.codec.CommandFrame;
import io.respgate.policy.command.CommandSpec;
import io.respgate.policy.command.KeyFlags;
import io.respgate.policy.command.KeyVisitor;

import java.util.ArrayList;
import java.util.List;

/**
 * One user's ACL compiled for the hot path: per selector a command bitset indexed by
 * {@link CommandSpec#id()}, key patterns pre-split by the permission they carry, channel patterns,
 * and the {@code allkeys}/{@code allchannels}/{@code allcommands} short cuts. Immutable and
 * thread-safe; {@link #check} allocates nothing when it allows.
 */
public final class CompiledAcl {
    private static final int CHANNELS_NONE = 0;
    /** PUBLISH, SPUBLISH: argument 1 matched against the patterns. */
    private static final int CHANNELS_FIRST = 1;
    /** SUBSCRIBE, SSUBSCRIBE: every argument matched against the patterns. */
    private static final int CHANNELS_ALL = 2;
    /** PSUBSCRIBE: every argument, a pattern itself, compared literally with the patterns. */
    private static final int CHANNELS_ALL_LITERAL = 3;

    private static final int WRITE_FLAGS = KeyFlags.INSERT | KeyFlags.DELETE | KeyFlags.UPDATE;

    // Redis's ACL_DENIED_* ranks; MALFORMED is ours and outranks them all.
    private static final int RANK_CMD = 1;
    private static final int RANK_KEY = 2;
    private static final int RANK_CHANNEL = 4;
    private static final int RANK_MALFORMED = 5;

    private final AclRules rules;
    private final Selector[] selectors;
    private final boolean[] noAuth;
    private final byte[] channelMode;
    /**
     * Per-thread key visitor of the fast path: {@link CommandSpec#forEachKey} returns true also when
     * the visitor stopped, so the visitor must remember the refusal. Reused so that checks allocate
     * nothing; each thread (event loop) has its own.
     */
    private final ThreadLocal<KeyRecorder> recorders = ThreadLocal.withInitial(KeyRecorder::new);

    CompiledAcl(AclRules rules) {
        this.rules = rules;
        AclRules.Universe universe = new AclRules.Universe(rules.table());
        noAuth = new boolean[universe.idCount];
        channelMode = new byte[universe.idCount];
        for (CommandSpec top : universe.topLevel) {
            classify(top);
            for (CommandSpec sub : AclRules.Universe.subs(top)) {
                classify(sub);
            }
        }
        List<Selector> all = new ArrayList<>();
        all.add(new Selector(rules.root()));
        for (AclSelector s : rules.selectors()) {
            all.add(new Selector(s));
        }
        selectors = all.toArray(new Selector[0]);
    }

    private void classify(CommandSpec spec) {
        noAuth[spec.id()] = spec.hasFlag("no_auth");
        switch (spec.name()) {
            case "publish":
            case "spublish":
                channelMode[spec.id()] = CHANNELS_FIRST;
                break;
            case "subscribe":
            case "ssubscribe":
                channelMode[spec.id()] = CHANNELS_ALL;
                break;
            case "psubscribe":
                channelMode[spec.id()] = CHANNELS_ALL_LITERAL;
                break;
            default:
                break;
        }
    }

    public AclRules rules() {
        return rules;
    }

    /**
     * Redis 7.0's ACL check for one command, as ACL DRYRUN / ACLCheckAllUserCommandPerm do: the root
     * permissions or any one selector must allow the command AND all its keys AND all its channels.
     * The user's on/off state and passwords play no part, as in Redis. Keys come from
     * {@link CommandSpec#forEachKey}; a command whose keys cannot be determined is denied
     * ({@link AclVerdict.Kind#MALFORMED}) unless a selector that allows it has {@code allkeys}.
     *
     * @param spec  the command as resolved by the same {@code CommandTable} the rules were parsed with
     *              (the subcommand for a container)
     * @param frame the command's arguments; the frame is only read
     */
    public AclVerdict check(CommandSpec spec, CommandFrame frame) {
        int id = spec.id();
        if (id < 0 || id >= noAuth.length || (!AclRules.Universe.subs(spec).isEmpty() && frame.argCount() > 1)) {
            // Not from this table, or a container with an argument that is no known subcommand:
            // Redis would not run it ("unknown subcommand"); fail closed. A container alone is
            // checked as itself, as Redis does: COMMAND runs so, the others fail their arity first.
            return AclVerdict.deny(AclVerdict.Kind.COMMAND, -1);
        }
        for (Selector s : selectors) {
            if (s.allows(spec, id, frame)) {
                return AclVerdict.ALLOWED;
            }
        }
        return explainDenial(spec, id, frame);
    }

    /**
     * Redis 7.0's {@code ACLUserCheckCmdWithUnrestrictedKeyAccess(user, cmd, argv, argc, CMD_KEY_ACCESS)},
     * which {@code SORT} asks before it accepts a {@code BY} pattern with a {@code *} or any {@code GET}
     * pattern: whether some selector (the root permissions or a {@code (...)} selector) allows the whole
     * command (command, keys, channels) AND has {@code allkeys} or a key pattern that is exactly
     * {@code *} with read permission. Allocation-free.
     */
    public boolean allowsWithUnrestrictedRead(CommandSpec spec, CommandFrame frame) {
        int id = spec.id();
        if (id < 0 || id >= noAuth.length || !AclRules.Universe.subs(spec).isEmpty()) {
            return false;
        }
        for (Selector s : selectors) {
            if (s.unrestrictedRead && s.allows(spec, id, frame)) {
                return true;
            }
        }
        return false;
    }

    /** The slow path: which reason and argument Redis would report, picked as ACLCheckAllUserCommandPerm does. */
    private AclVerdict explainDenial(CommandSpec spec, int id, CommandFrame frame) {
        int relevant = RANK_CMD;
        int lastIdx = 0;
        int localIdx = 0;
        for (Selector s : selectors) {
            int ret = 0;
            if (!s.commandAllowed(spec, id, frame)) {
                ret = RANK_CMD;
            } else {
                if (!s.allKeys) {
                    KeyRecorder recorder = recorders.get(); // allows() is done with it by now
                    recorder.selector = s;
                    recorder.denied = -1;
                    boolean wellFormed = spec.forEachKey(frame, recorder);
                    recorder.selector = null;
                    if (recorder.denied >= 0) {
                        ret = RANK_KEY;
                        localIdx = recorder.denied;
                    } else if (!wellFormed) {
                        ret = RANK_MALFORMED;
                        localIdx = 0;
                    }
                }
                if (ret == 0 && !s.allChannels && channelMode[id] != CHANNELS_NONE) {
                    int denied = s.firstDeniedChannel(frame, channelMode[id]);
                    if (denied >= 0) {
                        ret = RANK_CHANNEL;
                        localIdx = denied;
                    }
                }
            }
            if (ret == 0) {
                // The fast path said no and the careful path says yes: fail closed.
                ret = RANK_MALFORMED;
            }
            if (ret > relevant || (ret == relevant && localIdx > lastIdx)) {
                relevant = ret;
                lastIdx = localIdx;
            }
        }
        switch (relevant) {
            case RANK_CMD:
                return AclVerdict.deny(AclVerdict.Kind.COMMAND, -1);
            case RANK_KEY:
                return AclVerdict.deny(AclVerdict.Kind.KEY, lastIdx);
            case RANK_CHANNEL:
                return AclVerdict.deny(AclVerdict.Kind.CHANNEL, lastIdx);
            default:
                return AclVerdict.deny(AclVerdict.Kind.MALFORMED, -1);
        }
    }

    /** Finds the first key a selector refuses, visiting them all otherwise. */
    private static final class KeyRecorder implements KeyVisitor {
        /** Keys up to this long are copied once and compared as an array; longer ones are read in place. */
        private static final int SCRATCH = 256;

        Selector selector;
        int denied = -1;
        /** Reused per thread: comparing against a plain array skips ByteBuf's per-byte checks. */
        final byte[] scratch = new byte[SCRATCH];

        @Override
        public boolean key(CommandFrame frame, int argIndex, int keyFlags) {
            if (!selector.keyAllowed(frame, argIndex, keyFlags, scratch)) {
                denied = argIndex;
                return false;
            }
            return true;
        }
    }

    private final class Selector {
        final long[] bits;
        final boolean allCommands;
        final byte[][][] firstArgs;
        final boolean allKeys;
        /** {@code ACLSelectorHasUnrestrictedKeyAccess(selector, CMD_KEY_ACCESS)}. */
        final boolean unrestrictedRead;
        /** Patterns usable for a key needing no permission, read, write, and both. */
        final GlobMatcher[] anyPatterns;
        final GlobMatcher[] readPatterns;
        final GlobMatcher[] writePatterns;
        final GlobMatcher[] readWritePatterns;
        final boolean allChannels;
        final GlobMatcher[] channelGlobs;
        final byte[][] channelLiterals;

        Selector(AclSelector s) {
            bits = s.commandBits;
            allCommands = s.allCommandsFlag;
            byte[][][] fa = null;
            for (int i = 0; i < s.firstArgs.length; i++) {
                if (s.firstArgs[i] != null) {
                    fa = s.firstArgs;
                    break;
                }
            }
            firstArgs = fa;
            allKeys = s.allKeys;
            boolean fullRead = s.allKeys;
            for (KeyPattern p : s.keyPatterns) {
                byte[] raw = p.rawPattern();
                fullRead |= p.read() && raw.length >= 1 && raw[0] == '*' && (raw.length == 1 || raw[1] == 0);
            }
            unrestrictedRead = fullRead;
            List<GlobMatcher> any = new ArrayList<>();
            List<GlobMatcher> read = new ArrayList<>();
            List<GlobMatcher> write = new ArrayList<>();
            List<GlobMatcher> both = new ArrayList<>();
            for (KeyPattern p : s.keyPatterns) {
                GlobMatcher m = GlobMatcher.compile(p.rawPattern());
                any.add(m);
                if (p.read()) {
                    read.add(m);
                }
                if (p.write()) {
                    write.add(m);
                }
                if (p.read() && p.write()) {
                    both.add(m);
                }
            }
            anyPatterns = any.toArray(new GlobMatcher[0]);
            readPatterns = read.toArray(new GlobMatcher[0]);
            writePatterns = write.toArray(new GlobMatcher[0]);
            readWritePatterns = both.toArray(new GlobMatcher[0]);
            allChannels = s.allChannels;
            channelGlobs = new GlobMatcher[s.channels.size()];
            channelLiterals = new byte[s.channels.size()][];
            for (int i = 0; i < channelGlobs.length; i++) {
                channelLiterals[i] = s.channels.get(i).clone();
                channelGlobs[i] = GlobMatcher.compile(channelLiterals[i]);
            }
        }

        boolean allows(CommandSpec spec, int id, CommandFrame frame) {
            if (!commandAllowed(spec, id, frame)) {
                return false;
            }
            if (!allKeys) {
                KeyRecorder recorder = recorders.get();
                recorder.selector = this;
                recorder.denied = -1;
                boolean wellFormed = spec.forEachKey(frame, recorder);
                recorder.selector = null;
                if (!wellFormed || recorder.denied >= 0) {
                    return false;
                }
            }
            int mode = channelMode[id];
            return allChannels || mode == CHANNELS_NONE || firstDeniedChannel(frame, mode) < 0;
        }

        /** ACLSelectorCheckCmd's command part: the bit, or an allowed first argument. */
        boolean commandAllowed(CommandSpec spec, int id, CommandFrame frame) {
            if (allCommands || noAuth[id] || (bits[id >>> 6] & (1L << id)) != 0) {
                return true;
            }
            if (firstArgs == null || firstArgs[id] == null || frame.argCount() < 2) {
                return false;
            }
            int idx = spec.parent() != null ? 2 : 1;
            if (idx >= frame.argCount()) {
                return false;
            }
            for (byte[] allowed : firstArgs[id]) {
                if (strcasecmpEquals(frame, idx, allowed)) {
                    return true;
                }
            }
            return false;
        }

        /** ACLSelectorCheckKey. */
        boolean keyAllowed(CommandFrame frame, int argIndex, int keyFlags, byte[] scratch) {
            boolean read = (keyFlags & KeyFlags.ACCESS) != 0;
            boolean write = (keyFlags & WRITE_FLAGS) != 0;
            GlobMatcher[] list = read ? (write ? readWritePatterns : readPatterns) : (write ? writePatterns : anyPatterns);
            ByteBuf buf = frame.buffer();
            int index = frame.argIndex(argIndex);
            int length = frame.argLength(argIndex);
            // One checked bulk copy instead of a checked read per byte per pattern: the key is
            // compared against up to every pattern of the selector.
            boolean copied = list.length > 1 && length <= scratch.length;
            if (copied) {
                buf.getBytes(index, scratch, 0, length);
            }
            for (GlobMatcher m : list) {
                if (copied ? m.matches(scratch, length, buf, index) : m.matches(buf, index, length)) {
                    return true;
                }
            }
            return false;
        }

        /** The index of the first channel argument no channel rule allows, or -1. */
        int firstDeniedChannel(CommandFrame frame, int mode) {
            int last = mode == CHANNELS_FIRST ? Math.min(2, frame.argCount()) : frame.argCount();
            for (int i = 1; i < last; i++) {
                if (!channelAllowed(frame, i, mode == CHANNELS_ALL_LITERAL)) {
                    return i;
                }
            }
            return -1;
        }

        /** ACLCheckChannelAgainstList. */
        private boolean channelAllowed(CommandFrame frame, int arg, boolean literal) {
            ByteBuf buf = frame.buffer();
            int index = frame.argIndex(arg);
            int length = frame.argLength(arg);
            for (int i = 0; i < channelGlobs.length; i++) {
                if (literal ? strcmpEquals(buf, index, length, channelLiterals[i])
                        : channelGlobs[i].matches(buf, index, length)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** C {@code strcmp(pattern, arg) == 0}: both read as C strings, so the argument ends at its first NUL. */
    private static boolean strcmpEquals(ByteBuf buf, int index, int length, byte[] pattern) {
        int n = cLength(buf, index, length);
        if (n != pattern.length) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (buf.getByte(index + i) != pattern[i]) {
                return false;
            }
        }
        return true;
    }

    /** C {@code strcasecmp(arg, allowed) == 0} in the "C" locale. */
    private static boolean strcasecmpEquals(CommandFrame frame, int arg, byte[] allowed) {
        ByteBuf buf = frame.buffer();
        int index = frame.argIndex(arg);
        int n = cLength(buf, index, frame.argLength(arg));
        if (n != allowed.length) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (AclRules.lower(buf.getByte(index + i)) != AclRules.lower(allowed[i])) {
                return false;
            }
        }
        return true;
    }

    private static int cLength(ByteBuf buf, int index, int length) {
        for (int i = 0; i < length; i++) {
            if (buf.getByte(index + i) == 0) {
                return i;
            }
        }
        return length;
    }

    @Override
    public String toString() {
        return "CompiledAcl[" + rules.source() + "]";
    }
}
