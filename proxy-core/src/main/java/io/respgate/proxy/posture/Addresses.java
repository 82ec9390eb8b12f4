package io.respgate.proxy.posture;

import io.respgate.config.ExposureCheck;

/** Address formatting and classification shared by the checks. */
final class Addresses {
    private Addresses() {
    }

    /** {@code host:port}, with an IPv6 literal in brackets. */
    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Whether {@code host} names only loopback addresses. The same rule RespGate applies when it
     * refuses an exposed listener, so the audit and the proxy never disagree.
     */
    static boolean isLoopback(String host) {
        return ExposureCheck.isLoopback(host);
    }
}
