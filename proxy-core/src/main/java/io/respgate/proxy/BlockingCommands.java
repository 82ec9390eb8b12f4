package io.respgate.proxy;

import io.respgate.codec.CommandFrame;
import io.respgate.policy.command.CommandSpec;
import io.respgate.policy.command.CommandTable;

import java.nio.charset.StandardCharsets;

/**
 * The commands Redis may hold without answering on purpose, and for how long: the blocking list,
 * sorted-set and stream reads ({@code BLPOP k 5}, {@code XREAD BLOCK 5000 ...}) and {@code WAIT}.
 * {@code upstream.command_timeout} allows such a command its own timeout on top, and never times
 * out one that blocks forever (timeout 0). Worked out once per command id at start-up; reading a
 * timeout argument parses its bytes in place.
 */
final class BlockingCommands {
    /** The command does not block. */
    static final int NONE = 0;
    /** The command may block forever: no command timeout applies to it. */
    static final int FOREVER = -1;

    private static final byte NOT_BLOCKING = 0;
    /** Timeout in seconds (a decimal number) as the last argument: BLPOP, BRPOP, BZPOPMIN, BRPOPLPUSH, BLMOVE. */
    private static final byte LAST_SECONDS = 1;
    /** Timeout in seconds as argument 1: BLMPOP, BZMPOP. */
    private static final byte FIRST_SECONDS = 2;
    /** {@code BLOCK <ms>} option before {@code STREAMS}: XREAD, XREADGROUP. */
    private static final byte STREAM_BLOCK = 3;
    /** Timeout in milliseconds as the last argument: WAIT. */
    private static final byte LAST_MILLIS = 4;

    private static final byte[] BLOCK = "BLOCK".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STREAMS = "STREAMS".getBytes(StandardCharsets.US_ASCII);

    private final byte[] kinds;

    BlockingCommands(CommandTable table) {
        int max = 0;
        for (CommandSpec spec : table.all()) {
            max = Math.max(max, spec.id());
        }
        kinds = new byte[max + 1];
        for (CommandSpec spec : table.all()) {
            kinds[spec.id()] = switch (spec.name()) {
                case "blpop", "brpop", "bzpopmin", "bzpopmax", "brpoplpush", "blmove" -> LAST_SECONDS;
                case "blmpop", "bzmpop" -> FIRST_SECONDS;
                case "xread", "xreadgroup" -> STREAM_BLOCK;
                case "wait", "waitaof" -> LAST_MILLIS;
                default -> NOT_BLOCKING;
            };
        }
    }

    /** Whether {@code commandId} may block at all (cheap: one array read). */
    boolean mayBlock(int commandId) {
        return commandId >= 0 && commandId < kinds.length && kinds[commandId] != NOT_BLOCKING;
    }

    /**
     * How long Redis may hold {@code frame} on purpose, in milliseconds: {@link #NONE},
     * {@link #FOREVER}, or a time. A timeout Redis would refuse (negative, not a number) is answered
     * at once by Redis, so any value does; one this parser does not follow (an exponent, say) counts
     * as forever, which never cuts a legitimate wait short.
     */
    int allowanceMillis(int commandId, CommandFrame frame) {
        if (!mayBlock(commandId)) {
            return NONE;
        }
        int argc = frame.argCount();
        return switch (kinds[commandId]) {
            case LAST_SECONDS -> argc < 2 ? NONE : secondsToMillis(frame, argc - 1);
            case FIRST_SECONDS -> argc < 2 ? NONE : secondsToMillis(frame, 1);
            case LAST_MILLIS -> argc < 2 ? NONE : millis(frame.argAsLong(argc - 1));
            case STREAM_BLOCK -> streamBlock(frame);
            default -> NONE;
        };
    }

    private static int streamBlock(CommandFrame frame) {
        int argc = frame.argCount();
        for (int i = 1; i < argc - 1; i++) {
            if (frame.argEqualsIgnoreCase(i, STREAMS)) {
                return NONE;
            }
            if (frame.argEqualsIgnoreCase(i, BLOCK)) {
                return millis(frame.argAsLong(i + 1));
            }
        }
        return NONE;
    }

    private static int millis(long ms) {
        if (ms == Long.MIN_VALUE) {
            return FOREVER; // not an integer: Redis answers with an error at once
        }
        if (ms < 0) {
            return NONE;
        }
        if (ms == 0 || ms >= Integer.MAX_VALUE) {
            return FOREVER;
        }
        return (int) ms;
    }

    /** A decimal number of seconds ({@code 5}, {@code 0.5}, {@code .25}) in milliseconds, rounded up. */
    static int secondsToMillis(CommandFrame frame, int arg) {
        int length = frame.argLength(arg);
        if (length == 0 || length > 30) {
            return FOREVER;
        }
        int k = 0;
        if (frame.argByte(arg, 0) == '-') {
            return NONE; // "timeout is negative": answered at once
        }
        if (frame.argByte(arg, 0) == '+') {
            k++;
        }
        long whole = 0;
        int digits = 0;
        for (; k < length; k++) {
            byte b = frame.argByte(arg, k);
            if (b == '.') {
                break;
            }
            if (b < '0' || b > '9' || ++digits > 9) {
                return FOREVER;
            }
            whole = whole * 10 + (b - '0');
        }
        long millis = whole * 1000;
        if (k < length) { // fraction: up to three digits count, any more round up
            k++;
            int scale = 100;
            boolean rest = false;
            for (; k < length; k++) {
                byte b = frame.argByte(arg, k);
                if (b < '0' || b > '9') {
                    return FOREVER;
                }
                if (scale > 0) {
                    millis += (b - '0') * scale;
                    scale /= 10;
                } else if (b != '0') {
                    rest = true;
                }
            }
            if (rest) {
                millis++;
            }
        }
        if (millis == 0) {
            return FOREVER; // 0 blocks forever
        }
        return (int) Math.min(millis, Integer.MAX_VALUE - 1);
    }
}
