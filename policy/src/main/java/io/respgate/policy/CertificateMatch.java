package io.respgate.policy;

/**
 * Which policy user a client certificate maps to: none, exactly one, or more than one (the
 * certificate carries names listed by different users, which is refused: fail closed).
 *
 * @param user      the user, when exactly one matched
 * @param ambiguous more than one user matched
 */
public record CertificateMatch(PolicyUser user, boolean ambiguous) {
    static final CertificateMatch NONE = new CertificateMatch(null, false);
    static final CertificateMatch AMBIGUOUS = new CertificateMatch(null, true);
}
