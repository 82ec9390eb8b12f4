package io.respgate.config;

/** Whether the listener asks clients for a certificate ({@code listen.tls.client_auth}). */
public enum ClientAuth {
    /** No client certificate is requested. */
    NONE,
    /** A certificate is requested and verified if sent; a client without one must AUTH. */
    OPTIONAL,
    /** The handshake fails without a certificate signed by the client CA. */
    REQUIRE
}
