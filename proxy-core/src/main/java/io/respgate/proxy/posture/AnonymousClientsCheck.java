package io.respgate.proxy.posture;

import io.respgate.config.ClientAuth;
import io.respgate.config.ListenConfig;

import java.util.List;

/**
 * Can a client use RespGate without any credential? That is the case when the policy's user
 * {@code default} is on and nopass, unless every client must present a certificate.
 */
final class AnonymousClientsCheck extends ConfigPostureCheck {
    static final String ID = "respgate-anonymous-access";
    private static final String FIX = "give the policy's user default a password hash, or turn it off"
            + " (acl: \"off\"), so that every client must AUTH";

    @Override
    public String id() {
        return ID;
    }

    @Override
    List<Finding> check(AuditedConfig config) {
        ListenConfig listen = config.config().listen();
        String where = Addresses.hostPort(listen.address(), listen.port());
        if (config.policy().openDefaultUser() == null) {
            return List.of(Finding.pass(ID, "every client must authenticate: the policy's user default is off or"
                    + " has a password"));
        }
        if (listen.tls().map(t -> t.clientAuth() == ClientAuth.REQUIRE).orElse(false)) {
            return List.of(Finding.pass(ID, "the policy's user default is on and nopass, but every client must"
                    + " present a trusted certificate (listen.tls.client_auth: require)"));
        }
        if (Addresses.isLoopback(listen.address())) {
            return List.of(Finding.warn(ID, "any process on this host can use RespGate at " + where + " without a"
                    + " credential: the policy's user default is on and nopass", FIX));
        }
        String accepted = listen.insecureAnonymous() ? " (accepted by listen.insecure_allow_anonymous: true)"
                : "; RespGate refuses to start like this";
        return List.of(Finding.fail(ID, "anyone who reaches " + where + " can run commands through RespGate without"
                + " a credential: the policy's user default is on and nopass" + accepted, FIX));
    }
}
