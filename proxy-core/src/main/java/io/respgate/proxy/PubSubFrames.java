package io.respgate.proxy;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Reads the head of pub/sub frames from Redis ({@code *3 $7 message ...} in RESP2, {@code >3 ...}
 * in RESP3) in place. Used only while a connection has subscriptions or waits for a subscription
 * confirmation, so ordinary replies never pay for it. The frames are complete: the reply scanner
 * has already checked their structure.
 */
final class PubSubFrames {
    private static final byte[] MESSAGE = ascii("message");
    private static final byte[] PMESSAGE = ascii("pmessage");
    private static final byte[] SMESSAGE = ascii("smessage");

    private static final CommandKind[] CONFIRMATIONS = {
        CommandKind.SUBSCRIBE, CommandKind.PSUBSCRIBE, CommandKind.SSUBSCRIBE,
        CommandKind.UNSUBSCRIBE, CommandKind.PUNSUBSCRIBE, CommandKind.SUNSUBSCRIBE,
    };
    private static final byte[][] CONFIRMATION_NAMES = {
        ascii("subscribe"), ascii("psubscribe"), ascii("ssubscribe"),
        ascii("unsubscribe"), ascii("punsubscribe"), ascii("sunsubscribe"),
    };

    private PubSubFrames() {
    }

    /** Whether the aggregate frame at {@code index} is a published message rather than a reply. */
    static boolean isMessage(ByteBuf buf, int index) {
        int nameIndex = firstBulkPayload(buf, index);
        if (nameIndex < 0) {
            return false;
        }
        int nameLength = firstBulkLength(buf, index);
        return equalsAt(buf, nameIndex, nameLength, MESSAGE)
                || equalsAt(buf, nameIndex, nameLength, PMESSAGE)
                || equalsAt(buf, nameIndex, nameLength, SMESSAGE);
    }

    /** The subscription command a confirmation frame answers, or null if it is none. */
    static CommandKind confirmationKind(ByteBuf buf, int index) {
        int nameIndex = firstBulkPayload(buf, index);
        if (nameIndex < 0) {
            return null;
        }
        int nameLength = firstBulkLength(buf, index);
        for (int k = 0; k < CONFIRMATIONS.length; k++) {
            if (equalsAt(buf, nameIndex, nameLength, CONFIRMATION_NAMES[k])) {
                return CONFIRMATIONS[k];
            }
        }
        return null;
    }

    /**
     * The subscription count that ends a confirmation frame ({@code subscribe ch 3}): the third
     * element, an integer. Returns -1 if the frame does not have that shape.
     */
    static long confirmationCount(ByteBuf buf, int index) {
        int cursor = lineEnd(buf, index);              // aggregate header
        if (cursor < 0) {
            return -1;
        }
        for (int element = 0; element < 2; element++) { // kind and channel
            cursor = skipSimpleElement(buf, cursor);
            if (cursor < 0) {
                return -1;
            }
        }
        if (buf.getByte(cursor) != ':') {
            return -1;
        }
        int end = lineEnd(buf, cursor) - 2;
        long value = 0;
        for (int i = cursor + 1; i < end; i++) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    /** Skips a bulk string or a null at {@code index}, returning the index after it, or -1. */
    private static int skipSimpleElement(ByteBuf buf, int index) {
        byte marker = buf.getByte(index);
        if (marker == '_') {
            return index + 3;
        }
        if (marker != '$') {
            return -1;
        }
        int afterHeader = lineEnd(buf, index);
        long length = parseLength(buf, index + 1, afterHeader - 2);
        if (length < 0) {
            return length == -1 ? afterHeader : -1;
        }
        return (int) (afterHeader + length + 2);
    }

    private static int firstBulkPayload(ByteBuf buf, int index) {
        byte marker = buf.getByte(index);
        if (marker != '*' && marker != '>') {
            return -1;
        }
        int element = lineEnd(buf, index);
        if (element < 0 || element >= buf.writerIndex() || buf.getByte(element) != '$') {
            return -1;
        }
        int payload = lineEnd(buf, element);
        return payload < 0 ? -1 : payload;
    }

    private static int firstBulkLength(ByteBuf buf, int index) {
        int element = lineEnd(buf, index);
        return (int) parseLength(buf, element + 1, lineEnd(buf, element) - 2);
    }

    /** Index just after the CRLF that ends the line starting at {@code index}, or -1. */
    private static int lineEnd(ByteBuf buf, int index) {
        int lf = buf.indexOf(index, buf.writerIndex(), (byte) '\n');
        return lf < 0 ? -1 : lf + 1;
    }

    private static long parseLength(ByteBuf buf, int from, int to) {
        if (from < to && buf.getByte(from) == '-') {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                return -2;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    private static boolean equalsAt(ByteBuf buf, int index, int length, byte[] expected) {
        if (length != expected.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (buf.getByte(index + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
