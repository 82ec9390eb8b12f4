package io.respgate.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The TLS protocol versions RespGate accepts in its config: 1.2 and 1.3; older versions are refused. */
public final class TlsProtocols {
    public static final String TLS_1_3 = "TLSv1.3";
    public static final String TLS_1_2 = "TLSv1.2";
    /** What both sides use when the config names no protocols. */
    public static final List<String> DEFAULT = List.of(TLS_1_3, TLS_1_2);

    private static final Map<String, String> ACCEPTED = Map.of(
            "tlsv1.3", TLS_1_3, "tls1.3", TLS_1_3, "1.3", TLS_1_3,
            "tlsv1.2", TLS_1_2, "tls1.2", TLS_1_2, "1.2", TLS_1_2);
    private static final List<String> REFUSED = List.of("sslv2", "sslv3", "tlsv1", "tlsv1.0", "tls1.0", "1.0",
            "tlsv1.1", "tls1.1", "1.1");

    private TlsProtocols() {
    }

    /**
     * The JSSE name of {@code text} ({@code TLSv1.3}), or throws with a message saying why the
     * version is not accepted.
     */
    static String canonical(String text) {
        String key = text.strip().toLowerCase(Locale.ROOT);
        String name = ACCEPTED.get(key);
        if (name != null) {
            return name;
        }
        if (REFUSED.contains(key)) {
            throw new IllegalArgumentException(Values.quote(text) + " is refused: SSL and TLS before 1.2 are broken"
                    + " (RFC 8996); use TLSv1.3 and/or TLSv1.2");
        }
        throw new IllegalArgumentException("unknown protocol " + Values.quote(text) + "; expected TLSv1.3 or TLSv1.2");
    }
}
