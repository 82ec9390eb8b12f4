package io.respgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads {@code listen.tls} and {@code upstream.tls}. Files are only named here; they are read at start-up. */
final class TlsSections {
    private static final List<String> SERVER_KEYS = List.of("cert_file", "key_file", "client_ca_file", "client_auth",
            "require_mapped", "protocols", "ciphers", "session_cache_size", "session_timeout", "allow_jdk_provider");
    private static final List<String> UPSTREAM_KEYS = List.of("ca_file", "cert_file", "key_file", "server_name",
            "verify_certificate", "verify_hostname", "protocols", "ciphers", "allow_jdk_provider");
    private static final Duration MAX_SESSION_TIMEOUT = Duration.ofDays(1);

    private final ScalarReader r;

    TlsSections(ScalarReader reader) {
        this.r = reader;
    }

    ServerTlsConfig server(Object value) throws ConfigException {
        String p = "listen.tls";
        if (value == null) {
            throw r.error(p, "must be a mapping with at least cert_file and key_file");
        }
        Map<String, Object> m = YamlSupport.section(r.source, p, value, SERVER_KEYS, Set.of());
        Path cert = required(m, p, "cert_file", "the PEM certificate chain the proxy presents to clients");
        Path key = required(m, p, "key_file", "the PEM private key of that certificate");
        Optional<Path> ca = m.containsKey("client_ca_file")
                ? Optional.of(r.file(p + ".client_ca_file", m.get("client_ca_file"),
                "the PEM bundle of CAs that sign client certificates"))
                : Optional.empty();
        ClientAuth clientAuth = ClientAuth.NONE;
        if (m.containsKey("client_auth")) {
            String text = r.string(p + ".client_auth", m.get("client_auth"), "none, optional or require");
            try {
                clientAuth = ClientAuth.valueOf(text.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw r.error(p + ".client_auth", "must be none, optional or require, got " + Values.quote(text));
            }
        }
        if (clientAuth != ClientAuth.NONE && ca.isEmpty()) {
            throw r.error(p + ".client_ca_file", "is required with client_auth: " + clientAuth.name().toLowerCase(Locale.ROOT)
                    + ": the CAs whose client certificates are accepted");
        }
        if (clientAuth == ClientAuth.NONE && ca.isPresent()) {
            throw r.error(p + ".client_auth", "is none, so client_ca_file would not be used; set client_auth to"
                    + " optional or require, or remove client_ca_file");
        }
        boolean requireMapped = m.containsKey("require_mapped") && r.bool(p + ".require_mapped", m.get("require_mapped"));
        if (requireMapped && clientAuth == ClientAuth.NONE) {
            throw r.error(p + ".require_mapped", "needs client certificates: set client_auth to optional or require");
        }
        long cacheSize = m.containsKey("session_cache_size")
                ? r.count(p + ".session_cache_size", m.get("session_cache_size"), 10_000_000) : 0;
        Duration timeout = m.containsKey("session_timeout")
                ? r.duration(p + ".session_timeout", m.get("session_timeout"), Duration.ofSeconds(1), MAX_SESSION_TIMEOUT)
                : ServerTlsConfig.DEFAULT_SESSION_TIMEOUT;
        return new ServerTlsConfig(cert, key, ca, clientAuth, requireMapped, protocols(m, p), ciphers(m, p),
                cacheSize, timeout, allowJdk(m, p));
    }

    UpstreamTlsConfig upstream(Object value) throws ConfigException {
        String p = "upstream.tls";
        Map<String, Object> m = value == null ? Map.of()
                : YamlSupport.section(r.source, p, value, UPSTREAM_KEYS, Set.of());
        Optional<Path> ca = optionalFile(m, p, "ca_file", "the PEM bundle of CAs trusted for Redis's certificate");
        Optional<Path> cert = optionalFile(m, p, "cert_file", "the PEM client certificate chain presented to Redis");
        Optional<Path> key = optionalFile(m, p, "key_file", "the PEM private key of the client certificate");
        if (cert.isPresent() != key.isPresent()) {
            throw r.error(p + (cert.isPresent() ? ".key_file" : ".cert_file"),
                    "is required too: a client certificate needs both cert_file and key_file");
        }
        Optional<String> serverName = Optional.empty();
        if (m.containsKey("server_name")) {
            String name = r.string(p + ".server_name", m.get("server_name"), "a DNS name").strip();
            if (name.length() > 254
                    || !name.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?")) {
                throw r.error(p + ".server_name", "must be a DNS name, got " + Values.quote(name));
            }
            // SNI carries the name without the trailing dot of a fully qualified name (RFC 6066), and
            // the JDK refuses one; certificates name hosts without it too.
            serverName = Optional.of(name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
        }
        boolean verifyCertificate = !m.containsKey("verify_certificate")
                || r.bool(p + ".verify_certificate", m.get("verify_certificate"));
        boolean verifyHostname = !m.containsKey("verify_hostname")
                || r.bool(p + ".verify_hostname", m.get("verify_hostname"));
        if (!verifyCertificate && m.containsKey("verify_hostname") && verifyHostname) {
            throw r.error(p + ".verify_hostname", "cannot be checked when verify_certificate is false: an"
                    + " unverified certificate can claim any name");
        }
        if (!verifyCertificate && ca.isPresent()) {
            throw r.error(p + ".ca_file", "would not be used: verify_certificate is false");
        }
        return new UpstreamTlsConfig(ca, cert, key, serverName, verifyCertificate, verifyCertificate && verifyHostname,
                protocols(m, p), ciphers(m, p), allowJdk(m, p));
    }

    private Path required(Map<String, Object> m, String p, String key, String what) throws ConfigException {
        if (!m.containsKey(key)) {
            throw r.error(p + "." + key, "is required: " + what);
        }
        return r.file(p + "." + key, m.get(key), what);
    }

    private Optional<Path> optionalFile(Map<String, Object> m, String p, String key, String what)
            throws ConfigException {
        return m.containsKey(key) ? Optional.of(r.file(p + "." + key, m.get(key), what)) : Optional.empty();
    }

    private List<String> protocols(Map<String, Object> m, String p) throws ConfigException {
        if (!m.containsKey("protocols")) {
            return TlsProtocols.DEFAULT;
        }
        String path = p + ".protocols";
        List<String> out = new ArrayList<>();
        for (String text : r.strings(path, m.get("protocols"), "TLS versions (TLSv1.3, TLSv1.2)")) {
            try {
                String name = TlsProtocols.canonical(text);
                if (!out.contains(name)) {
                    out.add(name);
                }
            } catch (IllegalArgumentException e) {
                throw r.error(path, e.getMessage());
            }
        }
        return out;
    }

    private List<String> ciphers(Map<String, Object> m, String p) throws ConfigException {
        if (!m.containsKey("ciphers")) {
            return List.of();
        }
        String path = p + ".ciphers";
        List<String> out = new ArrayList<>();
        for (String text : r.strings(path, m.get("ciphers"), "cipher suite names")) {
            String name = text.strip();
            if (!name.matches("[A-Za-z0-9_-]+")) {
                throw r.error(path, "must list cipher suite names (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),"
                        + " one per entry, got " + Values.quote(text));
            }
            out.add(name);
        }
        return out;
    }

    private boolean allowJdk(Map<String, Object> m, String p) throws ConfigException {
        return m.containsKey("allow_jdk_provider") && r.bool(p + ".allow_jdk_provider", m.get("allow_jdk_provider"));
    }
}
