package io.respgate.codec;

import java.nio.charset.StandardCharsets;

/**
 * The decoder's verdict that the client broke the protocol. It is a message rather than an
 * exception so that it travels down the pipeline in order: the session answers it after the replies
 * of every request decoded before it, then closes the connection, as Redis does.
 *
 * @param message the error text after {@code -ERR }, e.g. {@code Protocol error: invalid bulk length}.
 *                Characters are bytes (ISO-8859-1) because Redis echoes a raw client byte in
 *                {@code expected '$', got 'x'}.
 */
public record ProtocolViolation(String message) {

    public ProtocolViolation {
        if (message.indexOf('\r') >= 0 || message.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("an error line cannot hold CR or LF");
        }
    }

    /** The full reply line Redis would send, e.g. {@code -ERR Protocol error: ...\r\n}. */
    public String redisErrorLine() {
        return "-ERR " + message + "\r\n";
    }

    /** {@link #redisErrorLine()} as the exact bytes to write. */
    public byte[] redisErrorBytes() {
        return redisErrorLine().getBytes(StandardCharsets.ISO_8859_1);
    }
}
