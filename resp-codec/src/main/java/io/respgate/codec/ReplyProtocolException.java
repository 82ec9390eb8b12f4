package io.respgate.codec;

/**
 * Upstream sent bytes that are not a RESP reply, or one beyond a configured limit. The reply stream
 * can no longer be matched to requests, so the only safe reaction is to drop the connection.
 */
public final class ReplyProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReplyProtocolException(String message) {
        super(message);
    }
}
