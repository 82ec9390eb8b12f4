package io.respgate.policy;

import io.respgate.policy.CertificateName.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertificateNameTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "cn:api-client|CN|api-client",
            "CN:api-client|CN|api-client",
            "cn:  api client  |CN|api client",
            "cn:API-Client|CN|API-Client",
            "cn:a:b|CN|a:b",
            "cn:bücher|CN|bücher",
            "dns:api.billing.internal|DNS|api.billing.internal",
            "DNS:API.Billing.INTERNAL|DNS|api.billing.internal",
            "dns:*.billing.internal|DNS|*.billing.internal",
            "uri:spiffe://prod.example/ns/billing/sa/api|URI|spiffe://prod.example/ns/billing/sa/api",
            "Uri:spiffe://Prod.Example/ns/Billing|URI|spiffe://Prod.Example/ns/Billing",
            "dn:CN=api,O=Example|DN|cn=api,o=example",
            "dn:cn=API, o=Example  Corp|DN|cn=api,o=example corp",
            "dn: CN = api , OU = Billing , O = Example |DN|cn=api,ou=billing,o=example",
            "dn:CN=a\\,b,O=x|DN|cn=a\\,b,o=x",
            "dn:CN=api+UID=7,O=Example|DN|cn=api+uid=7,o=example"})
    void parsesEachKindIntoItsCanonicalForm(String text, Kind kind, String value) {
        CertificateName n = CertificateName.parse(text);
        assertEquals(kind, n.kind());
        assertEquals(value, n.value());
        assertEquals(kind.name().toLowerCase() + ":" + value, n.toString());
    }

    @Test
    void equalityFollowsTheCanonicalForm() {
        assertEquals(CertificateName.parse("dns:API.example"), CertificateName.parse("dns:api.EXAMPLE"));
        assertEquals(CertificateName.parse("dn:CN=api,O=Example"), CertificateName.parse("dn:cn=API,  o=EXAMPLE"));
        assertEquals(CertificateName.parse("dn:CN=api,O=Example").hashCode(),
                CertificateName.parse("dn:cn=API,  o=EXAMPLE").hashCode());
        // CNs and URIs are compared exactly.
        assertNotEquals(CertificateName.parse("cn:api"), CertificateName.parse("cn:API"));
        assertNotEquals(CertificateName.parse("uri:spiffe://prod/a"), CertificateName.parse("uri:spiffe://PROD/a"));
        // The kinds never mix.
        assertNotEquals(CertificateName.parse("cn:api"), CertificateName.parse("dns:api"));
        assertNotEquals(CertificateName.parse("cn:api"), new CertificateName(Kind.URI, "api"));
        // A DN's order matters: RFC 2253 order is most specific first.
        assertNotEquals(CertificateName.parse("dn:CN=api,O=Example"), CertificateName.parse("dn:O=Example,CN=api"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "api-client|must start with cn:, dn:, dns: or uri:",
            ":api|must start with cn:, dn:, dns: or uri:",
            "''|must start with cn:, dn:, dns: or uri:",
            "cn:|has nothing after cn:",
            "dns:   |has nothing after dns:",
            "URI:|has nothing after uri:",
            "spiffe://prod.example/ns/a|must start with cn:, dn:, dns: or uri:, got spiffe:",
            "email:a@example.com|got email:",
            "ip:10.0.0.1|got ip:",
            "dn:not a dn|is not a distinguished name such as CN=api,O=Example",
            "dn:/CN=api/O=Example|is not a distinguished name",
            "dn:CN=api,,O=x|is not a distinguished name"})
    void refusesWhatItCannotMatch(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CertificateName.parse(text));
        assertTrue(e.getMessage().contains(message), () -> "expected '" + message + "' in: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cn", "dn", "dns", "uri"})
    void everyPrefixRoundTrips(String prefix) {
        String value = prefix.equals("dn") ? "cn=x,o=y" : "x";
        CertificateName n = CertificateName.parse(prefix + ":" + value);
        assertEquals(n, CertificateName.parse(n.toString()));
    }

    @Test
    void nullsAreRefused() {
        assertThrows(NullPointerException.class, () -> new CertificateName(null, "x"));
        assertThrows(NullPointerException.class, () -> new CertificateName(Kind.CN, null));
    }
}
