package io.respgate.proxy;

import io.respgate.policy.CertificateIdentity;
import io.respgate.policy.CertificateMatch;
import io.respgate.policy.PolicySnapshot;
import io.respgate.policy.PolicyUser;
import io.respgate.proxy.audit.AuditLog;
import io.respgate.proxy.audit.SeenSources;
import io.respgate.proxy.metrics.ProxyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * Who one connection is. Authentication follows Redis: a connection starts as the user
 * {@code default} when that user is on and needs no password, and otherwise must authenticate
 * before anything else. Passwords are checked against the policy's hashes, never forwarded.
 */
final class SessionAuth {
    private static final Logger log = LoggerFactory.getLogger(SessionAuth.class);

    static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    static final String LOCKED_OUT = "ERR too many failed authentication attempts from this address; try again later";
    static final String TOO_MANY_CONNECTIONS = "ERR this user has reached its connection limit";
    static final String CERTIFICATE_BOUND = "ERR this connection is authenticated by its client certificate;"
            + " AUTH cannot change its user (connect without a certificate to sign in with a password)";
    static final String CERTIFICATE_UNMAPPED = "ERR client certificate not accepted: it maps to no RespGate user";
    static final String CERTIFICATE_AMBIGUOUS = "ERR client certificate not accepted: it maps to more than one"
            + " RespGate user";
    static final String CERTIFICATE_USER_REFUSED = "ERR client certificate not accepted: its user is disabled or"
            + " may not connect from this address";

    private final PolicyState policy;
    private final ProxyMetrics metrics;
    private final AuditLog audit;
    private final long connectionId;
    private final String client;
    private final SeenSources seenSources;
    private final AuthLockout lockout;
    private final UserConnections connections;
    private final InetAddress source;
    private PolicySnapshot snapshot;
    private PolicyUser user;
    /** The verified client certificate, if the client sent one. */
    private CertificateIdentity certificate;
    /** The connection was signed in by its certificate: AUTH cannot change the user. */
    private boolean certificateBound;

    SessionAuth(PolicyState policy, AuthLockout lockout, UserConnections connections, InetAddress source,
                ProxyMetrics metrics, AuditLog audit, long connectionId, String client, SeenSources seenSources) {
        this.metrics = metrics;
        this.audit = audit;
        this.connectionId = connectionId;
        this.client = client;
        this.seenSources = seenSources;
        this.policy = policy;
        this.lockout = lockout;
        this.connections = connections;
        this.source = source;
        this.snapshot = policy.current();
    }

    /** Signs in as {@code default} if the policy leaves it open to this address; returns whether it did. */
    boolean signInOpenDefault() {
        snapshot = policy.current();
        PolicyUser open = snapshot.openDefaultUser();
        if (open == null || !open.allowsSource(source)) {
            return false;
        }
        return take(open);
    }

    /**
     * Signs in by the client certificate verified in the TLS handshake ({@code null}: none sent).
     * A certificate mapped to a user signs in as that user; without a mapping the connection goes on
     * as a new plaintext one would (open default or AUTH), unless {@code requireMapped}.
     *
     * @return null when the connection may go on, else the error to send before closing it
     */
    String signInWithCertificate(CertificateIdentity identity, boolean requireMapped) {
        certificate = identity;
        if (identity == null) {
            signInOpenDefault();
            return null;
        }
        snapshot = policy.current();
        CertificateMatch match = snapshot.userFor(identity);
        if (match.ambiguous()) {
            certificateRefused(null, "certificate maps to more than one user");
            log.warn("client certificate '{}' from {} refused: it maps to more than one user", identity, source);
            return CERTIFICATE_AMBIGUOUS;
        }
        PolicyUser mapped = match.user();
        if (mapped == null) {
            if (requireMapped) {
                certificateRefused(null, "certificate maps to no user");
                log.info("client certificate '{}' from {} refused: it maps to no user", identity, source);
                return CERTIFICATE_UNMAPPED;
            }
            signInOpenDefault();
            return null;
        }
        if (!mapped.enabled() || !mapped.allowsSource(source)) {
            certificateRefused(mapped.name(), "certificate user disabled or source not allowed");
            log.info("client certificate '{}' from {} refused: user '{}' is disabled or may not connect from there",
                    identity, source, mapped.name());
            return CERTIFICATE_USER_REFUSED;
        }
        if (!take(mapped)) {
            return TOO_MANY_CONNECTIONS;
        }
        metrics.authSucceeded();
        signedIn(mapped, "certificate");
        certificateBound = true;
        log.debug("user '{}' authenticated by client certificate '{}' from {}", mapped.name(), identity, source);
        return null;
    }

    private void signedIn(PolicyUser who, String method) {
        if (audit.enabled()) {
            audit.authenticated(connection(), who.name(), method);
            if (seenSources.firstTime(who.name(), source)) {
                audit.newSource(connection(), who.name());
            }
        }
    }

    /** This connection as the audit log names it. */
    AuditLog.Connection connection() {
        return new AuditLog.Connection(connectionId, client, certificate == null ? null : certificate.describe());
    }

    private void certificateRefused(String user, String reason) {
        metrics.authFailed(ProxyMetrics.AuthFailure.CERTIFICATE);
        metrics.refused(ProxyMetrics.Refusal.CERTIFICATE);
        audit.authenticationFailed(connection(), user, reason);
    }

    /** Whether the user came from the client certificate (AUTH may not change it). */
    boolean certificateBound() {
        return certificateBound;
    }

    /** The verified client certificate, or null. */
    CertificateIdentity certificate() {
        return certificate;
    }

    /**
     * Authenticates as {@code username}; returns null on success or the error text to answer.
     * The password array is wiped before returning.
     */
    String authenticate(String username, byte[] password) {
        try {
            if (source != null && lockout.isLockedOut(source)) {
                metrics.authFailed(ProxyMetrics.AuthFailure.LOCKED_OUT);
                metrics.refused(ProxyMetrics.Refusal.LOCKOUT);
                audit.authenticationFailed(connection(), null, "locked out");
                log.warn("authentication refused: {} is locked out after repeated failures", source);
                return LOCKED_OUT;
            }
            PolicySnapshot current = policy.current();
            PolicyUser candidate = current.user(username);
            boolean passwordOk = candidate != null && candidate.authenticates(password);
            boolean ok = passwordOk && candidate.allowsSource(source);
            if (!ok) {
                metrics.authFailed(ProxyMetrics.AuthFailure.WRONGPASS);
                if (passwordOk) {
                    metrics.refused(ProxyMetrics.Refusal.SOURCE_NETWORK);
                }
                audit.authenticationFailed(connection(), candidate == null ? null : candidate.name(),
                        passwordOk ? "source network not allowed" : "wrong password or unknown user");
                if (source != null && lockout.recordFailure(source)) {
                    metrics.lockedOut();
                    audit.lockout(client);
                    log.warn("{} locked out after repeated authentication failures", source);
                }
                // A name the policy does not know is not logged: it may be a mistyped password.
                log.info("authentication failed for {} from {}",
                        candidate == null ? "an unknown user" : "user '" + candidate.name() + "'", source);
                return WRONGPASS;
            }
            if (user != null && user.name().equals(candidate.name())) {
                metrics.authSucceeded();
                signedIn(candidate, "password");
                snapshot = current;
                user = candidate;
                return null;
            }
            PolicyUser previous = user;
            snapshot = current;
            if (!take(candidate)) {
                return TOO_MANY_CONNECTIONS;
            }
            metrics.authSucceeded();
            signedIn(candidate, "password");
            if (previous != null) {
                connections.release(previous.name());
            }
            if (source != null) {
                lockout.recordSuccess(source);
            }
            log.debug("user '{}' authenticated from {}", candidate.name(), source);
            return null;
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    private boolean take(PolicyUser candidate) {
        if (!connections.tryAcquire(candidate.name(), candidate.maxConnections())) {
            metrics.authFailed(ProxyMetrics.AuthFailure.CONNECTION_LIMIT);
            metrics.refused(ProxyMetrics.Refusal.LIMIT);
            log.info("user '{}' refused from {}: connection limit {} reached", candidate.name(), source,
                    candidate.maxConnections());
            return false;
        }
        user = candidate;
        return true;
    }

    /** The authenticated user, or null. */
    PolicyUser user() {
        return user;
    }

    /**
     * The snapshot to judge the next command with. After a reload the user is looked up again;
     * returns null when the user was removed or disabled (the connection must close).
     */
    PolicySnapshot currentSnapshot() {
        PolicySnapshot now = policy.current();
        if (now != snapshot) {
            PolicyUser renewed = user == null ? null : now.user(user.name());
            if (user != null && (renewed == null || !renewed.enabled())) {
                return null;
            }
            if (certificateBound && now.userFor(certificate).user() != renewed) {
                return null; // the new policy no longer maps this certificate to this user
            }
            snapshot = now;
            user = renewed;
        }
        return snapshot;
    }

    /** RESET: back to what a new connection is (for a certificate-bound one: its certificate's user). */
    void reset() {
        if (certificateBound) {
            return;
        }
        signOut();
        signInOpenDefault();
    }

    void signOut() {
        if (user != null) {
            connections.release(user.name());
            user = null;
        }
    }
}
