package io.respgate.proxy.posture;

import java.util.List;

/**
 * Does Redis answer someone who has no credential? Asked from this host around the proxy: if it
 * does, the proxy protects nothing against anyone who can reach Redis's port.
 */
final class UnauthenticatedAccessCheck implements PostureCheck {
    static final String ID = "redis-auth-required";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> run(Deployment d) {
        AnonymousPing ping = d.redis().anonymousPing();
        String where = "Redis at " + d.redisAddress();
        return List.of(switch (ping.outcome()) {
            case ANSWERED -> Finding.fail(ID, where + " answers PING without any credential: Redis is reachable"
                            + " around the proxy without a password",
                    "require authentication in Redis itself: turn its default user off (ACL SETUSER default off)"
                            + " or set requirepass, give RespGate its own ACL user, and bind and firewall Redis so"
                            + " that only RespGate's host reaches it");
            case REFUSED -> Finding.pass(ID, where + " refuses commands without a credential (-NOAUTH)");
            case CERTIFICATE_REQUIRED -> Finding.pass(ID, where + " refuses a TLS connection without a client"
                    + " certificate (" + ping.detail() + ")");
            case UNEXPECTED -> Finding.warn(ID, where + " answered a PING without credentials with "
                    + ping.detail(), "check that upstream.address names the Redis server");
            case UNREACHABLE -> Finding.fail(ID, "cannot connect to " + where + ": " + ping.detail(),
                    "check upstream.address, that Redis is running, and that this host may reach it");
        });
    }
}
