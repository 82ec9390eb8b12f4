package io.respgate.proxy.posture;

import io.respgate.config.AdminConfig;

import java.util.List;
import java.util.Optional;

/**
 * Who can reach the admin endpoint? It serves metrics and reloads the policy; on a network address
 * it needs a token (the config refuses it otherwise), and the token crosses the network in plain
 * HTTP.
 */
final class AdminEndpointCheck extends ConfigPostureCheck {
    static final String ID = "respgate-admin-endpoint";

    @Override
    public String id() {
        return ID;
    }

    @Override
    List<Finding> check(AuditedConfig config) {
        Optional<AdminConfig> admin = config.config().admin();
        if (admin.isEmpty()) {
            return List.of(Finding.pass(ID, "no admin endpoint is configured"));
        }
        String where = Addresses.hostPort(admin.get().address(), admin.get().port());
        if (Addresses.isLoopback(admin.get().address())) {
            return List.of(Finding.pass(ID, "the admin endpoint listens on " + where + ", a loopback address"
                    + (admin.get().token().isPresent() ? ", with a bearer token" : "")));
        }
        return List.of(Finding.warn(ID, "the admin endpoint listens on " + where + ", reachable from the network;"
                        + " its bearer token travels in plain HTTP",
                "listen on 127.0.0.1 and let the Prometheus agent on this host scrape it, or put it behind a TLS"
                        + " proxy on a management network"));
    }
}
