package io.respgate.policy;

import javax.security.auth.x500.X500Principal;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The names a verified client certificate carries, in the canonical forms of {@link CertificateName}:
 * what a policy user's {@code certificates} are matched against, and what the audit record shows.
 *
 * @param subject the subject DN as the certificate writes it (RFC 2253), for logs
 * @param names   every name: the canonical subject DN, its common names, DNS and URI alternative names
 */
public record CertificateIdentity(String subject, List<CertificateName> names) {
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;

    public CertificateIdentity {
        Objects.requireNonNull(subject, "subject");
        names = List.copyOf(names);
    }

    /** The identity of {@code certificate}; unreadable alternative names are skipped, never guessed. */
    public static CertificateIdentity of(X509Certificate certificate) {
        X500Principal principal = certificate.getSubjectX500Principal();
        List<CertificateName> names = new ArrayList<>(4);
        names.add(new CertificateName(CertificateName.Kind.DN, principal.getName(X500Principal.CANONICAL)));
        try {
            for (Rdn rdn : new LdapName(principal.getName(X500Principal.RFC2253)).getRdns()) {
                // A multi-valued RDN (C=US+CN=api) holds several attributes; Rdn.getType() names only one.
                NamingEnumeration<? extends Attribute> attributes = rdn.toAttributes().getAll();
                while (attributes.hasMore()) {
                    Attribute attribute = attributes.next();
                    if (attribute.getID().equalsIgnoreCase("CN")) {
                        for (int i = 0; i < attribute.size(); i++) {
                            if (attribute.get(i) instanceof String cn) {
                                names.add(new CertificateName(CertificateName.Kind.CN, cn));
                            }
                        }
                    }
                }
            }
        } catch (NamingException e) {
            // the JDK wrote the name itself; a parse failure leaves only the DN to match
        }
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() == 2 && san.get(0) instanceof Integer type && san.get(1) instanceof String value) {
                        if (type == SAN_DNS) {
                            names.add(new CertificateName(CertificateName.Kind.DNS, value.toLowerCase(Locale.ROOT)));
                        } else if (type == SAN_URI) {
                            names.add(new CertificateName(CertificateName.Kind.URI, value));
                        }
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // malformed extension: no alternative names are matched
        }
        return new CertificateIdentity(principal.getName(X500Principal.RFC2253), names);
    }

    /**
     * For logs and audit: the first URI name (a SPIFFE ID) if any, else the subject DN, with control
     * characters written as {@code \xNN} so that a name cannot forge log lines.
     */
    public String describe() {
        for (CertificateName n : names) {
            if (n.kind() == CertificateName.Kind.URI) {
                return printable(n.value());
            }
        }
        return printable(subject);
    }

    private static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029';
            if (control && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (control) {
                    b.append(String.format("\\x%02x", (int) c));
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
