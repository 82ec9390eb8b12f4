package io.respgate.proxy.tls;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

import java.util.Locale;

/** Sorts failed client handshakes into a few reasons, for metrics and logs. */
public final class TlsFailures {
    private TlsFailures() {
    }

    /** {@code not_tls}, {@code timeout}, {@code protocol}, {@code certificate} or {@code other}. */
    public static String reason(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return "not_tls";
            }
            if (t instanceof SslHandshakeTimeoutException) {
                return "timeout";
            }
        }
        String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("protocol") || message.contains("version")) {
            return "protocol";
        }
        if (message.contains("certificate") || message.contains("cert")) {
            return "certificate";
        }
        return "other";
    }
}
