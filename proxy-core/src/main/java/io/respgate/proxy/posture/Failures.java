package io.respgate.proxy.posture;

import javax.net.ssl.SSLException;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/** Short, stack-trace-free reasons for connection failures, for report lines. */
final class Failures {
    private Failures() {
    }

    static String reason(IOException e) {
        String message = e.getMessage() == null ? "" : Text.shorten(e.getMessage());
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host";
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof SSLException) {
            return "TLS failed: " + (message.isEmpty() ? e.getClass().getSimpleName() : message);
        }
        if (e instanceof EOFException) {
            return message.isEmpty() ? "Redis closed the connection" : message;
        }
        return message.isEmpty() ? e.getClass().getSimpleName() : message;
    }
}
