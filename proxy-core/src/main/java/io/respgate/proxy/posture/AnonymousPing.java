package io.respgate.proxy.posture;

import java.util.Objects;

/**
 * What Redis did with a {@code PING} sent without any credential, on a connection of its own.
 *
 * @param outcome what happened
 * @param detail  the connection error or the unexpected reply, for the report
 */
record AnonymousPing(Outcome outcome, String detail) {
    enum Outcome {
        /** {@code +PONG}: anyone who reaches Redis can use it. */
        ANSWERED,
        /** {@code -NOAUTH}: Redis wants a credential first. */
        REFUSED,
        /** Refused without a client certificate, answered with RespGate's. */
        CERTIFICATE_REQUIRED,
        /** Any other reply. */
        UNEXPECTED,
        /** No connection. */
        UNREACHABLE
    }

    AnonymousPing {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
    }
}
