package io.respgate.proxy;

import io.respgate.policy.PolicySnapshot;
import io.respgate.proxy.admin.AdminActions;
import io.respgate.proxy.json.Json;

import java.util.concurrent.CompletableFuture;

/** The admin endpoint's view of a running {@link RespGateServer}. */
final class ServerAdminActions implements AdminActions {
    private final RespGateServer server;

    ServerAdminActions(RespGateServer server) {
        this.server = server;
    }

    @Override
    public String scrape() {
        return server.metrics().scrape();
    }

    @Override
    public String policyJson() {
        PolicySnapshot p = server.policy();
        return "{\"version\":" + Json.quote(p.version()) + ",\"loaded_at\":" + Json.quote(p.loadedAt().toString())
                + ",\"users\":" + p.userCount() + "}\n";
    }

    @Override
    public CompletableFuture<Boolean> ready() {
        if (server.isShuttingDown()) {
            return CompletableFuture.completedFuture(false);
        }
        return server.probeUpstream();
    }

    @Override
    public String reload() {
        boolean policy = server.reloadPolicy();
        boolean tls = server.reloadTls();
        return "{\"policy_reloaded\":" + policy + ",\"policy_version\":" + Json.quote(server.policy().version())
                + ",\"tls_reloaded\":" + tls + "}\n";
    }
}
