package io.respgate.policy;

import io.respgate.policy.CertificateName.Kind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Identities of real certificates, made with openssl at test time. */
class CertificateIdentityTest {
    static final String SPIFFE = "spiffe://prod.example/ns/billing/sa/api";

    @TempDir
    static Path dir;
    static TestCertificates certs;
    /** Subject O/OU/CN, two DNS names, two URIs, an e-mail address and an IP address. */
    static X509Certificate full;

    @BeforeAll
    static void issue() throws Exception {
        certs = new TestCertificates(dir);
        full = certs.issue("/O=Example Corp/OU=Billing/CN=api-client", List.of("DNS:API.Billing.Internal",
                "DNS:api2.billing.internal", "URI:" + SPIFFE, "URI:https://billing.example/api",
                "email:ops@example.com", "IP:10.1.2.3"));
    }

    private static CertificateName n(String text) {
        return CertificateName.parse(text);
    }

    @Test
    void everyNameOfACertificate() {
        CertificateIdentity id = CertificateIdentity.of(full);
        assertEquals("CN=api-client,OU=Billing,O=Example Corp", id.subject());
        assertEquals(List.of(
                new CertificateName(Kind.DN, "cn=api-client,ou=billing,o=example corp"),
                new CertificateName(Kind.CN, "api-client"),
                new CertificateName(Kind.DNS, "api.billing.internal"),
                new CertificateName(Kind.DNS, "api2.billing.internal"),
                new CertificateName(Kind.URI, SPIFFE),
                new CertificateName(Kind.URI, "https://billing.example/api")), id.names());
        assertEquals(SPIFFE, id.describe(), "the first URI (the SPIFFE ID) describes the client");
        assertEquals(SPIFFE, id.toString());
    }

    @Test
    void namesAsAPolicyWritesThemMatch() {
        List<CertificateName> names = CertificateIdentity.of(full).names();
        for (String written : List.of("cn:api-client", "dns:api.billing.internal", "DNS:API.BILLING.INTERNAL",
                "dns:api2.billing.internal", "uri:" + SPIFFE, "uri:https://billing.example/api",
                "dn:CN=api-client,OU=Billing,O=Example Corp", "dn:cn=API-CLIENT, ou=billing, o=example  corp")) {
            assertTrue(names.contains(n(written)), written + " does not match " + names);
        }
        for (String written : List.of("cn:API-client", "cn:Billing", "cn:Example Corp", "dns:billing.internal",
                "dns:10.1.2.3", "uri:spiffe://prod.example/ns/billing", "uri:SPIFFE://prod.example/ns/billing/sa/api",
                "cn:ops@example.com", "dn:CN=api-client",
                // OpenSSL's default print order (O first) is the reverse of RFC 2253's.
                "dn:O=Example Corp,OU=Billing,CN=api-client")) {
            assertFalse(names.contains(n(written)), written + " should not match " + names);
        }
    }

    @Test
    void certificateWithoutAlternativeNames() throws Exception {
        CertificateIdentity id = CertificateIdentity.of(certs.issue("/O=Example/CN=plain", List.of()));
        assertEquals(List.of(n("dn:CN=plain,O=Example"), n("cn:plain")), id.names());
        assertEquals("CN=plain,O=Example", id.describe(), "without a URI the subject describes the client");
    }

    @Test
    void everyCommonNameCounts() throws Exception {
        CertificateIdentity id = CertificateIdentity.of(certs.issue("/CN=first/O=Example/CN=second", List.of()));
        assertTrue(id.names().contains(n("cn:first")), id.names()::toString);
        assertTrue(id.names().contains(n("cn:second")), id.names()::toString);
    }

    @Test
    void commonNameInAMultiValuedRdn() throws Exception {
        // C sorts before CN: a reader that takes one attribute per RDN misses the CN.
        CertificateIdentity id = CertificateIdentity.of(certs.issue("/C=US+CN=multi/O=Example", List.of(),
                "-multivalue-rdn"));
        assertTrue(id.names().contains(n("cn:multi")), id.names()::toString);
        assertTrue(id.names().contains(n("dn:O=Example,C=US+CN=multi")), id.names()::toString);
        assertTrue(id.names().contains(n("dn:O=Example,CN=multi+C=US")), "the order inside an RDN does not matter");
        assertFalse(id.names().contains(n("cn:US")), id.names()::toString);
    }

    @Test
    void aCommonNameCannotSmuggleAnotherOne() throws Exception {
        X509Certificate tricky = certs.issue("/O=Example/CN=guest,CN=admin", List.of("DNS:guest.example"));
        CertificateIdentity id = CertificateIdentity.of(tricky);
        assertTrue(id.names().contains(n("cn:guest,CN=admin")), id.names()::toString);
        assertFalse(id.names().contains(n("cn:admin")), id.names()::toString);
        assertFalse(id.names().contains(n("cn:guest")), id.names()::toString);
        assertFalse(id.names().contains(n("dn:CN=admin,O=Example")), id.names()::toString);
    }

    @Test
    void unicodeCommonName() throws Exception {
        CertificateIdentity id = CertificateIdentity.of(certs.issue("/CN=bücher-api", List.of(), "-utf8"));
        assertTrue(id.names().contains(n("cn:bücher-api")), id.names()::toString);
        assertTrue(id.names().contains(n("dn:CN=Bücher-API")), id.names()::toString);
    }

    @Test
    void emailAttributeInTheSubjectMatchesAsADn() throws Exception {
        CertificateIdentity id = CertificateIdentity.of(certs.issue("/CN=mail/emailAddress=ops@example.com",
                List.of()));
        assertTrue(id.names().contains(n("dn:EMAILADDRESS=ops@example.com,CN=mail")), id.names()::toString);
    }

    @Test
    void describeEscapesControlCharacters() {
        CertificateIdentity id = new CertificateIdentity("CN=a\nINFO forged line\r\u0000", List.of());
        assertEquals("CN=a\\x0aINFO forged line\\x0d\\x00", id.describe());
        CertificateIdentity plain = new CertificateIdentity("CN=ok", List.of(n("cn:ok")));
        assertEquals("CN=ok", plain.describe());
    }

    @Test
    void theRecordCopiesItsNames() {
        List<CertificateName> names = new java.util.ArrayList<>(List.of(n("cn:a")));
        CertificateIdentity id = new CertificateIdentity("CN=a", names);
        names.add(n("cn:b"));
        assertEquals(List.of(n("cn:a")), id.names());
        assertThrows(UnsupportedOperationException.class, () -> id.names().add(n("cn:c")));
        assertThrows(NullPointerException.class, () -> new CertificateIdentity(null, List.of()));
    }
}
