package io.respgate.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Source networks are IP literals, never host names. Found while writing {@link PolicyParserPropertyTest}, by
 * reading {@link Cidr#parse}: the property itself cannot see a lookup on a machine without DNS, hence the
 * hosts file below.
 */
class CidrRegressionTest {

    /**
     * A source network made of hex letters and three dots ({@code dead.beef.cafe.face}) passed the
     * character check and went to {@code InetAddress.getByName}, which looked it up with the name service
     * and accepted the address it resolved to as a /32: a host name, which the policy does not take.
     * The lookup is made visible with a hosts file in a child JVM ({@code jdk.net.hosts.file}).
     */
    @Test
    void aHostNameIsNotLookedUpAsASourceNetwork(@TempDir Path dir) throws Exception {
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "10.1.2.3 dead.beef.cafe.face\n10.1.2.4 10.0.0.1a\n");
        for (String name : List.of("dead.beef.cafe.face", "dead.beef.cafe.face/32", "10.0.0.1a")) {
            assertEquals("refused: not an IP address or CIDR network", probe(hosts, name), name);
        }
        assertEquals("accepted: 10.1.2.3/32", probe(hosts, "10.1.2.3/32"), "a literal still parses");
    }

    @ParameterizedTest
    @ValueSource(strings = {"300.1.1.1", "1.2.3.256", "1..2.3", "1.2.3.4.", ".1.2.3", "1.2.3.0004", "\u0661.2.3.4"})
    void anIpv4AddressIsFourDecimalNumbersUpTo255(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertEquals("not an IP address or CIDR network", e.getMessage());
    }

    /**
     * Digits of other scripts passed {@code Character.isDigit} / {@code Character.digit}, and
     * {@code Integer.parseInt} reads them as numbers: {@code 10.0.0.0/\u0668} (Arabic-Indic eight) was a /8.
     */
    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/\u0668", "10.0.0.0/\uff18", "::1/\uff11\uff12\uff18", "\uff10::1", "fe80::\u0661"})
    void onlyAsciiDigitsAreNumbers(String text) {
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
    }

    /** Runs {@link #main} in a JVM that resolves names from {@code hosts} only. */
    private static String probe(Path hosts, String text) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Djdk.net.hosts.file=" + hosts,
                "-cp", System.getProperty("java.class.path"), CidrRegressionTest.class.getName(), text)
                .redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the probe JVM did not finish");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    /** The probe: parses the argument as a CIDR and prints the outcome. */
    public static void main(String[] args) {
        try {
            System.out.println("accepted: " + Cidr.parse(args[0]));
        } catch (IllegalArgumentException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }
}
