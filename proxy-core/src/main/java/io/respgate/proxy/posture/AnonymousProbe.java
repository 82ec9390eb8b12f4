package io.respgate.proxy.posture;

import io.respgate.config.UpstreamConfig;

import java.io.IOException;
import java.time.Duration;

/**
 * Sends {@code PING} to Redis with no credential at all, on its own connection: what anyone who
 * can reach Redis from this host, around the proxy, gets.
 */
final class AnonymousProbe {
    private AnonymousProbe() {
    }

    static AnonymousPing ping(UpstreamConfig upstream, Duration readTimeout) {
        // No client certificate either: with tls-auth-clients, a certificate is a credential.
        try {
            return classify(pingOnce(upstream, false, readTimeout));
        } catch (IOException e) {
            return withoutCertificateFailed(upstream, readTimeout, e);
        }
    }

    /**
     * A Redis that requires client certificates refuses the handshake, and with TLS 1.3 the client
     * learns it only on its first read or write, as an alert or a reset. So: if the same PING with
     * RespGate's certificate gets a Redis reply, the certificate is what Redis asked for.
     */
    private static AnonymousPing withoutCertificateFailed(UpstreamConfig upstream, Duration readTimeout,
                                                          IOException failure) {
        boolean hasCertificate = upstream.tls().map(t -> t.certFile().isPresent()).orElse(false);
        if (hasCertificate) {
            try {
                pingOnce(upstream, true, readTimeout);
                return new AnonymousPing(AnonymousPing.Outcome.CERTIFICATE_REQUIRED, Failures.reason(failure));
            } catch (IOException ignored) {
                // Not the certificate, then: report the first failure.
            }
        }
        return new AnonymousPing(AnonymousPing.Outcome.UNREACHABLE, Failures.reason(failure));
    }

    private static Reply pingOnce(UpstreamConfig upstream, boolean withCertificate, Duration readTimeout)
            throws IOException {
        try (RedisConnection connection = RedisConnection.open(upstream, withCertificate, readTimeout)) {
            return connection.call("PING");
        }
    }

    private static AnonymousPing classify(Reply reply) {
        if (reply instanceof Reply.Simple s && s.text().equals("PONG")) {
            return new AnonymousPing(AnonymousPing.Outcome.ANSWERED, "+PONG");
        }
        if (reply instanceof Reply.Error e && e.code().equals("NOAUTH")) {
            return new AnonymousPing(AnonymousPing.Outcome.REFUSED, "-NOAUTH");
        }
        return new AnonymousPing(AnonymousPing.Outcome.UNEXPECTED, Reply.describe(reply));
    }
}
