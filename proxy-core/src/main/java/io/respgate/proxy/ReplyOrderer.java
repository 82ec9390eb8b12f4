package io.respgate.proxy;

import io.netty.buffer.ByteBuf;

/**
 * The FIFO of reply slots of one client connection. Every command that will be answered takes a
 * slot in request order: a forwarded command waits for its upstream reply, a local answer (a
 * denial, QUIT's OK, an upstream-down error) is ready at once, and an internal slot swallows the
 * upstream reply to a command the proxy sent on its own. Replies leave only from the head, so a
 * local answer in the middle of a pipeline goes out exactly in its place.
 *
 * <p>A ring of parallel arrays rather than a queue of objects: taking a slot allocates nothing.
 * Confined to the connection's event loop.
 */
final class ReplyOrderer {
    static final byte LOCAL = 0;
    static final byte UPSTREAM = 1;
    static final byte INTERNAL = 2;

    private byte[] kinds;
    private byte[] effects;
    private int[] expected;
    /** The command table id of each upstream slot's command (-1: unknown or internal), for metrics. */
    private int[] commands;
    /** How long Redis may hold each upstream slot's command on purpose: see {@link BlockingCommands}. */
    private int[] blocks;
    private ByteBuf[] locals;
    private int head;
    private int size;
    /** Slots whose reply (or turn, for a silent slot) will change the session's mode: {@link ReplyEffect#changesMode}. */
    private int modeChanges;
    /** Slots removed so far, and the number of the sampled slot (or -1): see {@link #sampleLast}. */
    private long removed;
    private long sampled = -1;
    private LatencySampler sampler;

    /** Capacity above which the arrays are given back once the queue empties. */
    private static final int SHRINK_ABOVE = 4096;

    private final int initialCapacity;

    ReplyOrderer(int initialCapacity) {
        this.initialCapacity = Integer.highestOneBit(Math.max(8, initialCapacity - 1)) << 1;
        allocate(this.initialCapacity);
    }

    private void allocate(int capacity) {
        kinds = new byte[capacity];
        effects = new byte[capacity];
        expected = new int[capacity];
        commands = new int[capacity];
        blocks = new int[capacity];
        locals = new ByteBuf[capacity];
        head = 0;
    }

    /** Queues an answer that is ready now; ownership of {@code reply} passes to the orderer. */
    void addLocal(ByteBuf reply) {
        int i = claim(LOCAL, ReplyEffect.NONE);
        locals[i] = reply;
    }

    /**
     * Queues the effect of a command Redis will not answer (CLIENT REPLY OFF or SKIP): it applies
     * when the slot reaches the head, after the replies to everything sent before the command, as
     * it does in Redis. {@link #pollLocal} returns null for it.
     */
    void addSilent(byte effect) {
        int i = claim(LOCAL, effect);
        locals[i] = null;
    }

    /**
     * Queues a slot that waits for upstream reply frames.
     *
     * @param effect   what the reply changes in the session, see {@link ReplyEffect}
     * @param frames   how many upstream frames answer the command; {@link #UNTIL_NONE_LEFT} for an
     *                 unsubscribe-all whose count depends on the subscriptions at the time it runs
     */
    void addUpstream(byte effect, int frames) {
        addUpstream(effect, frames, -1);
    }

    /** Like {@link #addUpstream(byte, int)}, remembering the command's id for {@link #headCommand()}. */
    void addUpstream(byte effect, int frames, int command) {
        int i = claim(UPSTREAM, effect);
        expected[i] = frames;
        commands[i] = command;
        blocks[i] = BlockingCommands.NONE;
    }

    /** Marks the slot added last as a blocking command ({@link BlockingCommands#allowanceMillis}). */
    void setLastBlock(int millis) {
        blocks[(head + size - 1) & (kinds.length - 1)] = millis;
    }

    /** The head slot's blocking allowance: {@link BlockingCommands#NONE}, {@link BlockingCommands#FOREVER} or ms. */
    int headBlock() {
        return kinds[head] == UPSTREAM ? blocks[head] : BlockingCommands.NONE;
    }

    /** The command table id of the head slot's command, or -1. */
    int headCommand() {
        return commands[head];
    }

    /** Queues a slot whose upstream reply the client never sees. */
    void addInternal(byte effect) {
        int i = claim(INTERNAL, effect);
        expected[i] = 1;
        commands[i] = -1;
        blocks[i] = BlockingCommands.NONE;
    }

    static final int UNTIL_NONE_LEFT = -1;

    /**
     * Whether a command that changes the session's mode (protocol version, subscriptions, RESET)
     * still waits for Redis: until then, what Redis will make of a command sent now is not known.
     */
    boolean modeChangesPending() {
        return modeChanges > 0;
    }

    private void countMode(byte effect, int delta) {
        if (ReplyEffect.changesMode(effect)) {
            modeChanges += delta;
        }
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    int capacity() {
        return kinds.length;
    }

    byte headKind() {
        return kinds[head];
    }

    byte headEffect() {
        return effects[head];
    }

    int headExpected() {
        return expected[head];
    }

    void setHeadExpected(int frames) {
        expected[head] = frames;
    }

    /** Removes the local head slot and hands its reply to the caller: null for a silent slot. */
    ByteBuf pollLocal() {
        if (size == 0 || kinds[head] != LOCAL) {
            throw new IllegalStateException("head slot is not a local reply");
        }
        ByteBuf reply = locals[head];
        locals[head] = null;
        advance();
        return reply;
    }

    /** Removes the head slot, which must be waiting for upstream. */
    void removeHead() {
        if (size == 0 || kinds[head] == LOCAL) {
            throw new IllegalStateException("head slot is not waiting for upstream");
        }
        advance();
    }

    /** Drops every slot and releases the local replies that never left. */
    void releaseAll() {
        if (sampled >= 0) {
            sampled = -1;
            sampler.abandon();
        }
        while (size > 0) {
            ByteBuf local = locals[head];
            if (local != null) {
                local.release();
                locals[head] = null;
            }
            advance();
        }
    }

    /** Times the slot added last, if {@code sampler} has no sample in flight. */
    void sampleLast(LatencySampler latency) {
        if (latency.idle() && size > 0) {
            sampler = latency;
            sampled = removed + size - 1;
            latency.start();
        }
    }

    private void advance() {
        countMode(effects[head], -1);
        if (removed++ == sampled) {
            sampled = -1;
            sampler.completed();
        }
        head = (head + 1) & (kinds.length - 1);
        size--;
        if (size == 0 && kinds.length > SHRINK_ABOVE) {
            allocate(initialCapacity); // a deep pipeline once must not pin its arrays for good
        }
    }

    /** Takes the next slot for {@code kind} and {@code effect}; {@link #advance} undoes the mode count. */
    private int claim(byte kind, byte effect) {
        if (size == kinds.length) {
            grow();
        }
        int i = (head + size) & (kinds.length - 1);
        size++;
        kinds[i] = kind;
        effects[i] = effect;
        countMode(effect, 1);
        return i;
    }

    private void grow() {
        int capacity = kinds.length;
        byte[] newKinds = new byte[capacity * 2];
        byte[] newEffects = new byte[capacity * 2];
        int[] newExpected = new int[capacity * 2];
        int[] newCommands = new int[capacity * 2];
        int[] newBlocks = new int[capacity * 2];
        ByteBuf[] newLocals = new ByteBuf[capacity * 2];
        for (int k = 0; k < size; k++) {
            int from = (head + k) & (capacity - 1);
            newKinds[k] = kinds[from];
            newEffects[k] = effects[from];
            newExpected[k] = expected[from];
            newCommands[k] = commands[from];
            newBlocks[k] = blocks[from];
            newLocals[k] = locals[from];
        }
        kinds = newKinds;
        effects = newEffects;
        expected = newExpected;
        commands = newCommands;
        blocks = newBlocks;
        locals = newLocals;
        head = 0;
    }
}
