package io.respgate.proxy.posture;

import java.util.Objects;

/**
 * One fact read from Redis, or why it could not be read. Checks turn an unreadable fact into a
 * WARN (or a SKIP without a session) so the report says what was not verified.
 *
 * @param value  the fact, when {@code kind} is {@link Kind#VALUE}
 * @param kind   whether the fact was read
 * @param reason why not, for the report: a Redis error line or a short description, never a secret
 */
record Answer<T>(T value, Kind kind, String reason) {
    /**
     * RespGate's own Redis user should lack the admin commands the audit needs; a separate admin
     * user can answer them instead.
     */
    static final String INSPECT_FIX = "run the audit with a Redis admin user (--inspect-user NAME"
            + " --inspect-password-env VAR), or check it by hand with redis-cli";

    enum Kind {
        VALUE,
        /** Redis answered {@code -NOPERM}: the inspecting user may not run the command. */
        NO_PERMISSION,
        /** Redis answered another error, or something unexpected. */
        ERROR,
        /** There was no signed-in session to ask. */
        NO_SESSION
    }

    Answer {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        if ((kind == Kind.VALUE) != (value != null)) {
            throw new IllegalArgumentException("a value exactly when kind is VALUE");
        }
    }

    static <T> Answer<T> of(T value) {
        return new Answer<>(Objects.requireNonNull(value, "value"), Kind.VALUE, "");
    }

    static <T> Answer<T> noPermission(String reason) {
        return new Answer<>(null, Kind.NO_PERMISSION, reason);
    }

    static <T> Answer<T> error(String reason) {
        return new Answer<>(null, Kind.ERROR, reason);
    }

    static <T> Answer<T> noSession() {
        return new Answer<>(null, Kind.NO_SESSION, "no session to Redis");
    }

    boolean known() {
        return kind == Kind.VALUE;
    }

    /**
     * The finding for an answer that is not {@link #known()}: {@code what} names the fact, e.g.
     * {@code "CONFIG GET bind"}.
     */
    Finding unavailable(String id, String what) {
        return switch (kind) {
            case VALUE -> throw new IllegalStateException("the answer is known");
            case NO_SESSION -> Finding.skip(id, "not checked: no signed-in session to Redis (see redis-login)");
            case NO_PERMISSION -> Finding.warn(id, "cannot read " + what + ": the inspecting Redis user lacks"
                    + " permission (" + reason + ")", INSPECT_FIX);
            case ERROR -> Finding.warn(id, "cannot read " + what + ": " + reason, INSPECT_FIX);
        };
    }
}
