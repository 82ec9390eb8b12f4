package io.respgate.proxy.posture;

import io.respgate.config.UpstreamConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/** Opens a connection to Redis and signs in the way RespGate does: {@code AUTH} when there is a password. */
public final class RedisLogin {
    private RedisLogin() {
    }

    /**
     * A signed-in connection, or why there is none.
     *
     * @param connection the connection; null when {@code login} failed
     */
    public record Session(RedisConnection connection, Login login) {
        public boolean signedIn() {
            return connection != null;
        }
    }

    public static Session signIn(UpstreamConfig upstream, Credentials credentials, Duration readTimeout) {
        String user = credentials.effectiveUser();
        RedisConnection connection;
        try {
            connection = RedisConnection.open(upstream, true, readTimeout);
        } catch (IOException e) {
            return failed(credentials, "cannot connect to Redis at " + Addresses.hostPort(upstream.host(),
                    upstream.port()) + ": " + Failures.reason(e));
        }
        try {
            String problem = authenticate(connection, credentials);
            if (problem == null) {
                problem = ping(connection, credentials);
            }
            if (problem == null) {
                return new Session(connection, Login.ok(credentials.role(), user));
            }
            close(connection);
            return failed(credentials, problem);
        } catch (IOException e) {
            close(connection);
            return failed(credentials, "the connection to Redis failed while signing in: " + Failures.reason(e));
        }
    }

    /** Null when signed in. Only the error code is reported: an {@code AUTH} error line may echo its arguments. */
    private static String authenticate(RedisConnection connection, Credentials credentials) throws IOException {
        if (credentials.password().isEmpty()) {
            return null;
        }
        byte[] password = credentials.password().get().bytes();
        Reply reply;
        try {
            byte[] auth = "AUTH".getBytes(StandardCharsets.US_ASCII);
            reply = credentials.user().isPresent()
                    ? connection.call(auth, credentials.user().get().getBytes(StandardCharsets.UTF_8), password)
                    : connection.call(auth, password);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        if (reply instanceof Reply.Error e) {
            return "Redis refuses " + credentials.role() + " for user '" + credentials.effectiveUser() + "' (-"
                    + e.code() + ")";
        }
        if (!(reply instanceof Reply.Simple s && s.text().equals("OK"))) {
            return "Redis answered AUTH with " + (reply instanceof Reply.Simple ? "an unexpected status"
                    : Reply.describe(reply));
        }
        return null;
    }

    private static String ping(RedisConnection connection, Credentials credentials) throws IOException {
        Reply reply = connection.call("PING");
        if (reply instanceof Reply.Error e) {
            if (e.code().equals("NOAUTH")) {
                return "Redis requires a password and " + credentials.role() + " have none";
            }
            return "Redis refuses PING from user '" + credentials.effectiveUser() + "' (-" + e.code() + ")";
        }
        return null;
    }

    private static Session failed(Credentials credentials, String reason) {
        return new Session(null, Login.failed(credentials.role(), credentials.effectiveUser(), reason));
    }

    public static void close(RedisConnection connection) {
        try {
            connection.close();
        } catch (IOException ignored) {
            // Nothing to report: the audit is done with this connection either way.
        }
    }
}
