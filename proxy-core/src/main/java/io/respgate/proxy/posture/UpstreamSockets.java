package io.respgate.proxy.posture;

import io.respgate.config.UpstreamConfig;
import io.respgate.config.UpstreamTlsConfig;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;

/** Opens a blocking socket to Redis, plaintext or TLS as {@code upstream} says. */
final class UpstreamSockets {
    private UpstreamSockets() {
    }

    /**
     * @param withClientCertificate present the configured client certificate (TLS only)
     * @throws IOException for any connection or TLS failure, including unreadable TLS files
     */
    static Socket open(UpstreamConfig upstream, boolean withClientCertificate, Duration readTimeout)
            throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(upstream.host(), upstream.port()),
                    (int) Math.min(Integer.MAX_VALUE, upstream.connectTimeout().toMillis()));
            plain.setSoTimeout((int) readTimeout.toMillis());
            plain.setTcpNoDelay(true);
            if (upstream.tls().isEmpty()) {
                return plain;
            }
            return handshake(plain, upstream, upstream.tls().get(), withClientCertificate);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private static Socket handshake(Socket plain, UpstreamConfig upstream, UpstreamTlsConfig tls,
                                    boolean withClientCertificate) throws IOException {
        SSLContext context;
        try {
            context = JdkTls.context(tls, withClientCertificate);
        } catch (GeneralSecurityException e) {
            throw new IOException("the upstream.tls files cannot be used: " + e.getMessage());
        }
        String peer = tls.serverName().orElse(upstream.host());
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, peer, upstream.port(), true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(tls.protocols().toArray(new String[0]));
        if (tls.verifyCertificate() && tls.verifyHostname()) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (tls.serverName().isPresent()) {
            parameters.setServerNames(List.of(new SNIHostName(tls.serverName().get())));
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }
}
