package io.respgate.proxy;

/**
 * What an upstream reply changes in the session once it arrives. State that decides how later
 * replies are read (protocol version, subscriptions) changes when Redis confirms it, not when the
 * command is sent, because frames sent before the confirmation are still read the old way.
 */
final class ReplyEffect {
    static final byte NONE = 0;
    static final byte HELLO_2 = 1;
    static final byte HELLO_3 = 2;
    static final byte RESET = 3;
    /** The slot is answered by subscription confirmations (one per channel or pattern). */
    static final byte SUBSCRIPTION = 4;
    /** The proxy's own AUTH to Redis: an error means the link cannot be used. */
    static final byte UPSTREAM_AUTH = 5;
    /** The DISCARD sent in place of the EXEC of a transaction that had a local error. */
    static final byte SWALLOW = 6;
    /** SELECT: the connection's database changes when Redis answers +OK. */
    static final byte SELECT = 7;

    /**
     * Whether the effect changes what Redis makes of the commands after it: in RESP2 with a
     * subscription, Redis refuses all but a few commands.
     */
    static boolean changesMode(byte effect) {
        return effect == HELLO_2 || effect == HELLO_3 || effect == RESET || effect == SUBSCRIPTION;
    }

    private ReplyEffect() {
    }
}
