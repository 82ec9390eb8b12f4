package io.respgate.proxy.posture;

import io.respgate.config.UpstreamTlsConfig;

import java.util.List;

/**
 * Is the way from RespGate to Redis encrypted and verified? The proxy's password and every value
 * cross it; plaintext is acceptable only when it never leaves this host.
 */
final class UpstreamTlsCheck implements PostureCheck {
    static final String ID = "redis-tls";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> run(Deployment d) {
        String where = d.redisAddress();
        if (d.upstream().tls().isEmpty()) {
            if (Addresses.isLoopback(d.upstream().host())) {
                return List.of(Finding.pass(ID, "plaintext to Redis at " + where + ", a loopback address: the"
                        + " traffic does not leave this host"));
            }
            return List.of(Finding.fail(ID, "plaintext to Redis at " + where + ", which is not a loopback address:"
                            + " RespGate's password and all data cross the network unencrypted",
                    "turn on TLS in Redis (tls-port, tls-cert-file, tls-key-file) and point RespGate at it with"
                            + " rediss://HOST:PORT and upstream.tls.ca_file"));
        }
        UpstreamTlsConfig tls = d.upstream().tls().get();
        if (!tls.verifyCertificate()) {
            return List.of(Finding.warn(ID, "TLS to Redis at " + where + " does not verify Redis's certificate"
                            + " (upstream.tls.verify_certificate: false): anyone on the path can pose as Redis",
                    "set upstream.tls.ca_file to the CA of Redis's certificate and remove verify_certificate: false"));
        }
        if (!tls.verifyHostname()) {
            return List.of(Finding.warn(ID, "TLS to Redis at " + where + " does not check the name in Redis's"
                            + " certificate (upstream.tls.verify_hostname: false)",
                    "issue Redis a certificate for the name RespGate connects to (or set upstream.tls.server_name)"
                            + " and remove verify_hostname: false"));
        }
        return List.of(Finding.pass(ID, "TLS to Redis at " + where + ", certificate and name verified"
                + tls.caFile().map(ca -> " (CAs from " + ca + ")").orElse(" (the JDK's trusted CAs)")));
    }
}
