package io.respgate.proxy.posture;

import java.util.Objects;

/**
 * Whether a session to Redis signed in.
 *
 * @param role     whose credentials, for the report: "RespGate's credentials" or "the --inspect-user credentials"
 * @param user     the Redis ACL user
 * @param signedIn whether Redis accepted the credentials and answered {@code PING}
 * @param failure  why not: a connection error or the Redis error code, never Redis's whole error
 *                 line (an {@code AUTH} error can echo its arguments)
 */
public record Login(String role, String user, boolean signedIn, String failure) {
    public Login {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(failure, "failure");
    }

    static Login ok(String role, String user) {
        return new Login(role, user, true, "");
    }

    static Login failed(String role, String user, String failure) {
        return new Login(role, user, false, failure);
    }
}
