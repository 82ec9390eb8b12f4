package io.respgate.proxy.posture;

import io.respgate.config.ListenConfig;

import java.util.List;
import java.util.Locale;

/** Do clients reach RespGate over TLS? Plaintext is acceptable only on a loopback listener. */
final class ListenerTlsCheck extends ConfigPostureCheck {
    static final String ID = "respgate-listener-tls";

    @Override
    public String id() {
        return ID;
    }

    @Override
    List<Finding> check(AuditedConfig config) {
        ListenConfig listen = config.config().listen();
        String where = Addresses.hostPort(listen.address(), listen.port());
        if (listen.tls().isPresent()) {
            return List.of(Finding.pass(ID, "RespGate listens on " + where + " with TLS (client certificates: "
                    + listen.tls().get().clientAuth().name().toLowerCase(Locale.ROOT) + ")"));
        }
        if (Addresses.isLoopback(listen.address())) {
            return List.of(Finding.pass(ID, "RespGate listens on " + where + " without TLS, on a loopback address:"
                    + " only processes on this host can connect"));
        }
        String accepted = listen.insecurePlaintext() ? " (accepted by listen.insecure_plaintext: true)"
                : "; RespGate refuses to start like this";
        return List.of(Finding.fail(ID, "RespGate listens on " + where + ", which is not a loopback address,"
                        + " without TLS: client passwords and data cross the network in plain text" + accepted,
                "configure listen.tls (cert_file, key_file) and remove listen.insecure_plaintext, or listen on"
                        + " 127.0.0.1"));
    }
}
