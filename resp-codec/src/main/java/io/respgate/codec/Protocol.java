package io.respgate.codec;

/** The reply dialect a client negotiated with {@code HELLO}; it decides how local replies are encoded. */
public enum Protocol {
    RESP2,
    RESP3;

    /** The protocol for a {@code HELLO} version number, or {@code null} if Redis would refuse it. */
    public static Protocol ofVersion(long version) {
        if (version == 2) {
            return RESP2;
        }
        if (version == 3) {
            return RESP3;
        }
        return null;
    }
}
