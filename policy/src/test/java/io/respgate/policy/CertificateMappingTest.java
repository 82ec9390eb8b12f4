package io.respgate.policy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PolicySnapshot#userFor}: which user a client certificate signs in as. */
class CertificateMappingTest {
    static final String SPIFFE = CertificateIdentityTest.SPIFFE;

    @TempDir
    static Path dir;
    /** CN api-client, DNS api.billing.internal, URI spiffe://.../sa/api. */
    static CertificateIdentity api;
    /** Only CN api-client. */
    static CertificateIdentity cnOnly;
    /** CN batch, URI spiffe://.../sa/batch. */
    static CertificateIdentity batch;
    /** Names no policy lists. */
    static CertificateIdentity stranger;

    @BeforeAll
    static void issue() throws Exception {
        TestCertificates certs = new TestCertificates(dir);
        api = CertificateIdentity.of(certs.issue("/O=Example/CN=api-client",
                List.of("DNS:api.billing.internal", "URI:" + SPIFFE)));
        cnOnly = CertificateIdentity.of(certs.issue("/O=Example/CN=api-client", List.of()));
        batch = CertificateIdentity.of(certs.issue("/O=Example/CN=batch",
                List.of("URI:spiffe://prod.example/ns/billing/sa/batch")));
        stranger = CertificateIdentity.of(certs.issue("/O=Elsewhere/CN=stranger", List.of("DNS:stranger.example")));
    }

    private static UserSpec user(String name, String acl, String... certificates) {
        return new UserSpec(name, acl, null, null, null, 0, null, null, List.of(certificates));
    }

    private static PolicySnapshot snapshot(UserSpec... users) throws PolicyException {
        return Policies.snapshot(users);
    }

    private static void assertMapsTo(PolicySnapshot s, CertificateIdentity identity, String user) {
        CertificateMatch m = s.userFor(identity);
        assertFalse(m.ambiguous(), () -> identity.names() + " is ambiguous");
        assertSame(s.user(user), m.user(), () -> identity.names() + " maps to "
                + (m.user() == null ? "nobody" : m.user().name()) + ", not " + user);
    }

    @Test
    void eachKindOfNameMapsToItsUser() throws Exception {
        PolicySnapshot s = snapshot(
                user("default", "off"),
                user("by-uri", "on +@all ~*", "uri:" + SPIFFE),
                user("by-cn", "on +@all ~*", "cn:batch"),
                user("by-dn", "on +@all ~*", "dn:CN=api-client,O=Example"),
                user("by-dns", "on +@all ~*", "dns:STRANGER.example"));
        assertTrue(s.mapsCertificates());
        assertMapsTo(s, batch, "by-cn");
        assertMapsTo(s, stranger, "by-dns");
        // cnOnly has the DN of by-dn; api has the DN of by-dn too, and the URI of by-uri: ambiguous.
        assertMapsTo(s, cnOnly, "by-dn");
        assertTrue(s.userFor(api).ambiguous());
    }

    @Test
    void aCertificateWhoseNamesBelongToTwoUsersIsAmbiguous() throws Exception {
        PolicySnapshot s = snapshot(
                user("a", "on +@all ~*", "cn:api-client"),
                user("b", "on +@all ~*", "uri:" + SPIFFE));
        CertificateMatch m = s.userFor(api);
        assertTrue(m.ambiguous());
        assertNull(m.user(), "an ambiguous match names no user");
        // Each name alone is not ambiguous.
        assertMapsTo(s, cnOnly, "a");
        // The order of the names in the certificate does not matter.
        List<CertificateName> names = new java.util.ArrayList<>(api.names());
        java.util.Collections.reverse(names);
        CertificateIdentity reversed = new CertificateIdentity(api.subject(), names);
        assertTrue(s.userFor(reversed).ambiguous());
    }

    @Test
    void severalNamesOfOneUserAreNotAmbiguous() throws Exception {
        PolicySnapshot s = snapshot(
                user("api", "on +@all ~*", "cn:api-client", "uri:" + SPIFFE, "dns:api.billing.internal"),
                user("other", "on +@all ~*", "cn:batch"));
        assertMapsTo(s, api, "api");
        assertMapsTo(s, cnOnly, "api");
        assertMapsTo(s, batch, "other");
    }

    @Test
    void noMatch() throws Exception {
        PolicySnapshot s = snapshot(user("default", "on nopass +@all ~*"), user("a", "on +@all ~*", "cn:api-client"));
        CertificateMatch m = s.userFor(stranger);
        assertNull(m.user());
        assertFalse(m.ambiguous());
        assertSame(CertificateMatch.NONE, m);

        PolicySnapshot none = snapshot(user("default", "on nopass +@all ~*"));
        assertFalse(none.mapsCertificates());
        assertNull(none.userFor(api).user());
        assertFalse(none.userFor(api).ambiguous());
    }

    @Test
    void aDisabledUserIsStillTheMatchAndTheCallerRefusesIt() throws Exception {
        PolicySnapshot s = snapshot(user("a", "off +@all ~*", "cn:api-client"));
        CertificateMatch m = s.userFor(cnOnly);
        assertSame(s.user("a"), m.user());
        assertFalse(m.user().enabled());
    }

    @Test
    void theMatchIsTheSnapshotsOwnUser() throws Exception {
        PolicySnapshot s = snapshot(user("a", "on +@all ~*", "cn:api-client"));
        assertSame(s.user("a"), s.userFor(cnOnly).user());
        assertEquals(List.of(CertificateName.parse("cn:api-client")), s.user("a").certificates());
    }

    @Test
    void oneNameListedByTwoUsersIsRefused() throws Exception {
        PolicyUser a = PolicyUser.compile(user("a", "on +@all ~*", "cn:api-client"));
        PolicyUser b = PolicyUser.compile(user("b", "on +@all ~*", "dns:x.example", "CN: api-client "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PolicySnapshot.of("v", Instant.EPOCH, Guardrails.defaults(), List.of(a, b)));
        assertTrue(e.getMessage().contains("cn:api-client"), e.getMessage());
        assertTrue(e.getMessage().contains("'a' and 'b'"), e.getMessage());

        // The same name in another spelling is the same name.
        PolicyUser c = PolicyUser.compile(user("c", "on +@all ~*", "dns:API.Billing.Internal"));
        PolicyUser d = PolicyUser.compile(user("d", "on +@all ~*", "dns:api.billing.internal"));
        assertThrows(IllegalArgumentException.class,
                () -> PolicySnapshot.of("v", Instant.EPOCH, Guardrails.defaults(), List.of(c, d)));
        PolicyUser e1 = PolicyUser.compile(user("e", "on +@all ~*", "dn:CN=x, O=Example"));
        PolicyUser f = PolicyUser.compile(user("f", "on +@all ~*", "dn:cn=X,o=example"));
        assertThrows(IllegalArgumentException.class,
                () -> PolicySnapshot.of("v", Instant.EPOCH, Guardrails.defaults(), List.of(e1, f)));
    }

    @Test
    void aNameListedTwiceByOneUserIsKeptOnce() throws Exception {
        PolicyUser u = PolicyUser.compile(user("a", "on +@all ~*", "cn:api-client", "CN:api-client",
                "dns:A.example", "dns:a.example"));
        assertEquals(List.of(CertificateName.parse("cn:api-client"), CertificateName.parse("dns:a.example")),
                u.certificates());
    }

    @Test
    void aBadNameIsAPolicyErrorAtItsIndex() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> PolicyUser.compile(user("app", "on +@all ~*", "cn:ok", "spiffe://prod/x")));
        assertEquals("certificates[1]", e.path());
        assertTrue(e.problem().contains("user 'app'"), e.problem());
        assertTrue(e.problem().contains("'spiffe://prod/x' must start with cn:, dn:, dns: or uri:"), e.problem());
        assertTrue(e.problem().contains("uri:spiffe://"), "should show an example: " + e.problem());

        e = assertThrows(PolicyException.class, () -> PolicyUser.compile(user("app", "on", "dn:nonsense")));
        assertEquals("certificates[0]", e.path());
        assertTrue(e.problem().contains("is not a distinguished name"), e.problem());
    }

    @Test
    void usersWithoutCertificates() throws Exception {
        assertEquals(List.of(), PolicyUser.compile(UserSpec.of("a", "on")).certificates());
        assertEquals(List.of(), new UserSpec("a", "on", null, null, null, 0, null, null).certificates());
        assertEquals(List.of(), new UserSpec("a", "on", null, null, null, 0, null, null, null).certificates());
    }
}
