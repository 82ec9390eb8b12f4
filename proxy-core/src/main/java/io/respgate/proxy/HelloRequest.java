package io.respgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.respgate.codec.CommandFrame;

import java.nio.charset.StandardCharsets;

/**
 * {@code HELLO [protover [AUTH user pass] [SETNAME name]]} read the way Redis 7.0's
 * {@code helloCommand} reads it, so the proxy can take the AUTH part itself and forward the rest.
 *
 * @param version   the protocol version asked for, or 0 if none was given
 * @param authIndex index of the AUTH keyword, or -1 if there is none
 * @param error     the error Redis would answer (text after {@code -}), or null if the request is valid
 * @param nameError the error Redis answers for the SETNAME name once the client is authenticated,
 *                  or null: checked here so that a HELLO sent with CLIENT REPLY off is known to
 *                  switch the protocol exactly when Redis switches it
 */
record HelloRequest(long version, int authIndex, String error, String nameError) {
    static final String BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";
    private static final byte[] AUTH = "AUTH".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SETNAME = "SETNAME".getBytes(StandardCharsets.US_ASCII);

    static HelloRequest parse(CommandFrame frame) {
        long version = 0;
        int next = 1;
        if (frame.argCount() >= 2) {
            version = frame.argAsLong(1);
            if (version == Long.MIN_VALUE) {
                return new HelloRequest(0, -1, "ERR Protocol version is not an integer or out of range", null);
            }
            if (version < 2 || version > 3) {
                return new HelloRequest(version, -1, "NOPROTO unsupported protocol version", null);
            }
            next = 2;
        }
        int authIndex = -1;
        int nameIndex = -1;
        for (int j = next; j < frame.argCount(); j++) {
            int more = frame.argCount() - 1 - j;
            if (frame.argEqualsIgnoreCase(j, AUTH) && more >= 2) {
                authIndex = j;
                j += 2;
            } else if (frame.argEqualsIgnoreCase(j, SETNAME) && more >= 1) {
                nameIndex = ++j; // the last one counts
            } else {
                return new HelloRequest(version, -1, "ERR Syntax error in HELLO option '" + quoted(frame, j) + "'", null);
            }
        }
        return new HelloRequest(version, authIndex, null, nameIndex >= 0 && !validName(frame, nameIndex) ? BAD_NAME : null);
    }

    /** Like Redis's {@code validateClientName}: printable ASCII without spaces ('!' to '~'); empty clears the name. */
    private static boolean validName(CommandFrame frame, int i) {
        byte[] name = frame.argBytes(i);
        for (byte b : name) {
            if (b < '!' || b > '~') {
                return false;
            }
        }
        return true;
    }

    /**
     * Argument {@code i} as Redis quotes it with {@code %s}: its bytes up to the first NUL, one char
     * per byte (the error is written back one byte per char), line breaks as spaces.
     */
    private static String quoted(CommandFrame frame, int i) {
        StringBuilder b = new StringBuilder(frame.argLength(i));
        for (int k = 0; k < frame.argLength(i); k++) {
            byte c = frame.argByte(i, k);
            if (c == 0) {
                break;
            }
            b.append(c == '\r' || c == '\n' ? ' ' : (char) (c & 0xff));
        }
        return b.toString();
    }

    /** The same HELLO without its {@code AUTH user pass}, for Redis; the caller owns the buffer. */
    ByteBuf withoutAuth(ByteBufAllocator alloc, CommandFrame frame) {
        int args = frame.argCount() - 3;
        ByteBuf out = alloc.buffer();
        writeHeader(out, '*', args);
        for (int i = 0; i < frame.argCount(); i++) {
            if (i >= authIndex && i < authIndex + 3) {
                continue;
            }
            writeHeader(out, '$', frame.argLength(i));
            out.writeBytes(frame.buffer(), frame.argIndex(i), frame.argLength(i));
            out.writeByte('\r').writeByte('\n');
        }
        return out;
    }

    private static void writeHeader(ByteBuf out, char marker, int n) {
        out.writeByte(marker);
        out.writeCharSequence(Integer.toString(n), StandardCharsets.US_ASCII);
        out.writeByte('\r').writeByte('\n');
    }
}
