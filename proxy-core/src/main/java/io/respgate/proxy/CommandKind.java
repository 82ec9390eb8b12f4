package io.respgate.proxy;

import io.respgate.codec.CommandFrame;

import java.nio.charset.StandardCharsets;

/**
 * The few commands that change how replies are counted or how the session behaves. Everything
 * else is {@link #OTHER}, decided by the length of the name alone for the common commands, so the
 * hot path compares no bytes for GET or SET.
 */
enum CommandKind {
    OTHER, QUIT, AUTH, PING, RESET, MULTI, EXEC, DISCARD, MONITOR, HELLO, CLIENT, SELECT,
    SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE, SUNSUBSCRIBE;

    private final byte[] upperName = name().getBytes(StandardCharsets.US_ASCII);

    static CommandKind of(CommandFrame frame) {
        switch (frame.argLength(0)) {
            case 4:
                return match(frame, QUIT, EXEC, AUTH, PING);
            case 5:
                return match(frame, RESET, MULTI, HELLO);
            case 6:
                return match(frame, CLIENT, SELECT);
            case 7:
                return match(frame, DISCARD, MONITOR);
            case 9:
                return match(frame, SUBSCRIBE);
            case 10:
                return match(frame, PSUBSCRIBE, SSUBSCRIBE);
            case 11:
                return match(frame, UNSUBSCRIBE);
            case 12:
                return match(frame, PUNSUBSCRIBE, SUNSUBSCRIBE);
            default:
                return OTHER;
        }
    }

    // Fixed-arity overloads rather than varargs: a varargs call would allocate an array per command.
    private static CommandKind match(CommandFrame frame, CommandKind a) {
        return frame.argEqualsIgnoreCase(0, a.upperName) ? a : OTHER;
    }

    private static CommandKind match(CommandFrame frame, CommandKind a, CommandKind b) {
        return frame.argEqualsIgnoreCase(0, a.upperName) ? a : match(frame, b);
    }

    private static CommandKind match(CommandFrame frame, CommandKind a, CommandKind b, CommandKind c) {
        return frame.argEqualsIgnoreCase(0, a.upperName) ? a : match(frame, b, c);
    }

    private static CommandKind match(CommandFrame frame, CommandKind a, CommandKind b, CommandKind c, CommandKind d) {
        return frame.argEqualsIgnoreCase(0, a.upperName) ? a : match(frame, b, c, d);
    }

    boolean isSubscription() {
        return ordinal() >= SUBSCRIBE.ordinal();
    }
}
