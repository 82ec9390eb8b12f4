package io.respgate.policy;

import javax.security.auth.x500.X500Principal;
import java.util.Locale;
import java.util.Objects;

/**
 * One name a client certificate can carry, as a policy user lists it under {@code certificates}:
 * {@code cn:api-client} (a subject common name), {@code dn:CN=api,O=Example} (the whole subject),
 * {@code dns:api.billing.internal} (a DNS subject alternative name) or
 * {@code uri:spiffe://prod.example/ns/billing/sa/api} (a URI subject alternative name, as SPIFFE
 * IDs are). Values are compared in a canonical form: DNs as RFC 2253 canonical names (case and
 * spacing do not matter, the order of the parts does: most specific first, as
 * {@code openssl x509 -noout -subject -nameopt RFC2253} prints it, which is the reverse of
 * OpenSSL's default {@code O = ..., CN = ...}), DNS names case-insensitively, CNs and URIs exactly.
 */
public record CertificateName(Kind kind, String value) {
    /** Which part of the certificate a name is matched against. */
    public enum Kind {
        CN, DN, DNS, URI;

        String prefix() {
            return name().toLowerCase(Locale.ROOT) + ":";
        }
    }

    public CertificateName {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }

    /**
     * Parses {@code cn:...}, {@code dn:...}, {@code dns:...} or {@code uri:...}.
     *
     * @throws IllegalArgumentException with a short reason
     */
    public static CertificateName parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("must start with cn:, dn:, dns: or uri:");
        }
        String prefix = text.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = text.substring(colon + 1).strip();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("has nothing after " + prefix + ":");
        }
        return switch (prefix) {
            case "cn" -> new CertificateName(Kind.CN, value);
            case "dn" -> new CertificateName(Kind.DN, canonicalDn(value));
            case "dns" -> new CertificateName(Kind.DNS, value.toLowerCase(Locale.ROOT));
            case "uri" -> new CertificateName(Kind.URI, value);
            default -> throw new IllegalArgumentException("must start with cn:, dn:, dns: or uri:, got " + prefix + ":");
        };
    }

    /** The RFC 2253 canonical form of a distinguished name. */
    static String canonicalDn(String dn) {
        try {
            return new X500Principal(dn).getName(X500Principal.CANONICAL);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a distinguished name such as CN=api,O=Example");
        }
    }

    @Override
    public String toString() {
        return kind.prefix() + value;
    }
}
