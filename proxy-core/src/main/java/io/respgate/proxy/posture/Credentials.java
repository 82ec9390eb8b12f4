package io.respgate.proxy.posture;

import io.respgate.config.Secret;

import java.util.Objects;
import java.util.Optional;

/**
 * A Redis user and password the audit signs in with. {@link #toString()} never shows the password.
 *
 * @param role     whose they are, for the report: "RespGate's credentials" or "the --inspect-user credentials"
 * @param user     the ACL user; empty means {@code default}
 * @param password the password; without one no {@code AUTH} is sent, like RespGate does
 */
public record Credentials(String role, Optional<String> user, Optional<Secret> password) {
    public static final String PROXY_ROLE = "RespGate's credentials";
    static final String INSPECTOR_ROLE = "the --inspect-user credentials";

    public Credentials {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    /** The user a connection signed in with these credentials is. */
    public String effectiveUser() {
        return effectiveUser(user, password.isPresent());
    }

    /** Without a password no {@code AUTH} is sent, so the connection stays {@code default}. */
    static String effectiveUser(Optional<String> user, boolean hasPassword) {
        return hasPassword ? user.orElse("default") : "default";
    }
}
