package io.respgate.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Optional;

/**
 * Parses {@code upstream.address}: {@code host:port}, {@code [ipv6]:port} or
 * {@code redis://[user@]host[:port][/0]}. Problems are reported as {@link IllegalArgumentException}
 * whose message never contains a password that might have been written into the URL.
 */
record UpstreamAddress(String host, int port, Optional<String> username, boolean tls) {

    static final String FORMS = "host:port, [ipv6]:port, redis://[user@]host[:port] or rediss://[user@]host[:port]";

    static UpstreamAddress parse(String raw) {
        String s = raw.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("must not be empty; expected " + FORMS);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new IllegalArgumentException("must not contain spaces or control characters, got "
                        + Values.quote(redact(s)));
            }
        }
        int schemeEnd = s.indexOf("://");
        if (schemeEnd < 0) {
            if (s.indexOf('@') >= 0) {
                throw new IllegalArgumentException("credentials are only accepted as redis://user@host:port, and a"
                        + " password never; use upstream.username and upstream.password_env or upstream.password_file,"
                        + " got " + Values.quote(redact(s)));
            }
            try {
                return hostPort(s, false, Optional.empty(), false);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + "; expected " + FORMS + ", got " + Values.quote(s));
            }
        }
        String scheme = s.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new IllegalArgumentException("unsupported URL scheme " + Values.quote(scheme + "://")
                    + "; expected " + FORMS);
        }
        String rest = s.substring(schemeEnd + 3);
        int end = rest.length();
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String authority = rest.substring(0, end);
        String tail = rest.substring(end);

        Optional<String> user = Optional.empty();
        String hostPort = authority;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            hostPort = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon >= 0 && colon < userInfo.length() - 1) {
                throw new IllegalArgumentException("must not contain a password (a plaintext secret in the config"
                        + " file); put it in an environment variable named by upstream.password_env or in a file"
                        + " named by upstream.password_file, and keep only the user in the URL or in"
                        + " upstream.username");
            }
            String name = colon >= 0 ? userInfo.substring(0, colon) : userInfo;
            if (!name.isEmpty()) {
                user = Optional.of(Values.checkUsername(percentDecode(name)));
            }
        }
        checkTail(tail);
        try {
            return hostPort(hostPort, true, user, scheme.equals("rediss"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; expected " + FORMS + ", got "
                    + Values.quote(redact(s)));
        }
    }

    private static void checkTail(String tail) {
        if (tail.isEmpty()) {
            return;
        }
        String path = tail;
        int q = indexOfAny(tail, "?#");
        if (q >= 0) {
            char c = tail.charAt(q);
            throw new IllegalArgumentException(c == '?'
                    ? "URL query parameters are not supported"
                    : "URL fragments are not supported");
        }
        // path starts with '/'
        String db = path.substring(1);
        if (db.isEmpty() || db.equals("0")) {
            return;
        }
        if (db.chars().allMatch(ch -> ch >= '0' && ch <= '9') && db.length() <= 9) {
            throw new IllegalArgumentException("selecting a database (/" + db + ") is not supported yet;"
                    + " RespGate always uses database 0");
        }
        throw new IllegalArgumentException("unexpected URL path " + Values.quote(path)
                + "; only a database number is allowed, and only /0 for now");
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static UpstreamAddress hostPort(String s, boolean portOptional, Optional<String> user, boolean tls) {
        String host;
        String portText;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' after the IPv6 address");
            }
            host = Hosts.normalize(s.substring(0, close + 1));
            String after = s.substring(close + 1);
            if (after.isEmpty()) {
                portText = null;
            } else if (after.startsWith(":")) {
                portText = after.substring(1);
            } else {
                throw new IllegalArgumentException("unexpected text after the IPv6 address");
            }
        } else {
            int first = s.indexOf(':');
            if (first >= 0 && s.indexOf(':', first + 1) >= 0) {
                throw new IllegalArgumentException("an IPv6 address must be written in brackets, e.g. [::1]:6379");
            }
            if (first < 0) {
                host = Hosts.normalize(s);
                portText = null;
            } else {
                host = Hosts.normalize(s.substring(0, first));
                portText = s.substring(first + 1);
            }
        }
        int port;
        if (portText == null) {
            if (!portOptional) {
                throw new IllegalArgumentException("missing port");
            }
            port = UpstreamConfig.DEFAULT_REDIS_PORT;
        } else {
            port = parsePort(portText);
        }
        return new UpstreamAddress(host, port, user, tls);
    }

    private static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("the port must be a number between 1 and 65535");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the port must be a number between 1 and 65535");
        }
        return port;
    }

    private static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("the user name in the URL has a malformed %-escape");
                }
                out.write(hi << 4 | lo);
                i += 3;
            } else {
                int cp = s.codePointAt(i);
                byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i += Character.charCount(cp);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the user name in the URL is not valid UTF-8");
        }
    }

    /** The text with anything before an {@code @} (user and perhaps password) replaced by {@code ***}. */
    static String redact(String s) {
        int at = s.lastIndexOf('@');
        if (at < 0) {
            return s;
        }
        int schemeEnd = s.indexOf("://");
        String prefix = schemeEnd >= 0 && schemeEnd < at ? s.substring(0, schemeEnd + 3) : "";
        return prefix + "***" + s.substring(at);
    }
}
