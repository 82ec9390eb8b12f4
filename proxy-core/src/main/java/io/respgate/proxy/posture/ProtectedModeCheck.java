package io.respgate.proxy.posture;

import java.util.List;

/**
 * Redis's own safety net: with protected-mode on, a Redis whose default user has no password
 * answers only loopback clients. Off, one lost password setting exposes it on every interface.
 */
final class ProtectedModeCheck implements PostureCheck {
    static final String ID = "redis-protected-mode";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> run(Deployment d) {
        Answer<String> mode = d.redis().protectedMode();
        if (!mode.known()) {
            return List.of(mode.unavailable(ID, "CONFIG GET protected-mode"));
        }
        if (mode.value().equalsIgnoreCase("yes")) {
            return List.of(Finding.pass(ID, "protected-mode is yes"));
        }
        return List.of(Finding.warn(ID, "protected-mode is " + Text.shorten(mode.value())
                        + ": if the default user ever has no password, Redis answers clients on every interface",
                "set protected-mode yes in redis.conf (and CONFIG SET protected-mode yes on the running server)"));
    }
}
