package io.respgate.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Syntax checks for host names and IP literals. Never resolves anything. */
final class Hosts {
    private Hosts() {
    }

    /**
     * Checks that {@code host} is an IPv4 literal, an IPv6 literal (with or without brackets) or a
     * host name, and returns it without brackets.
     *
     * @throws IllegalArgumentException with a short reason
     */
    static String normalize(String host) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        if (host.startsWith("[") || host.endsWith("]")) {
            if (!(host.startsWith("[") && host.endsWith("]")) || host.length() < 3) {
                throw new IllegalArgumentException("unbalanced brackets around an IPv6 address");
            }
            return ipv6(host.substring(1, host.length() - 1));
        }
        if (host.indexOf(':') >= 0) {
            return ipv6(host);
        }
        return ipv4OrHostname(host);
    }

    /** Like {@link #normalize} but rejects IPv6 literals without brackets (used where a port may follow). */
    static String normalizeNoBareIpv6(String host) {
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            throw new IllegalArgumentException("an IPv6 address must be written in brackets, e.g. [::1]:6379");
        }
        return normalize(host);
    }

    static String ipv6(String literal) {
        if (literal.isEmpty() || literal.indexOf(':') < 0) {
            throw new IllegalArgumentException("not a valid IPv6 address");
        }
        int zone = literal.indexOf('%');
        String address = zone < 0 ? literal : literal.substring(0, zone);
        String zoneId = zone < 0 ? "" : literal.substring(zone + 1);
        boolean ok = !address.isEmpty() && (zone < 0 || !zoneId.isEmpty())
                && address.chars().allMatch(c -> c < 0x80 && (c == ':' || c == '.' || Character.digit(c, 16) >= 0))
                && zoneId.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.'));
        if (!ok) {
            throw new IllegalArgumentException("not a valid IPv6 address");
        }
        try {
            // Brackets make the JDK treat the text strictly as an IPv6 literal: no DNS lookup.
            InetAddress.getByName("[" + literal + "]");
        } catch (UnknownHostException | SecurityException e) {
            throw new IllegalArgumentException("not a valid IPv6 address");
        }
        return literal;
    }

    private static String ipv4OrHostname(String host) {
        if (host.length() > 253) {
            throw new IllegalArgumentException("host name is longer than 253 characters");
        }
        String[] labels = host.split("\\.", -1);
        String last = labels[labels.length - 1];
        if (!last.isEmpty() && last.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // Looks numeric: it must be a proper dotted-quad, never a host name like "10.1" or "999".
            if (labels.length != 4) {
                throw new IllegalArgumentException("not a valid IPv4 address (expected four numbers, e.g. 127.0.0.1)");
            }
            for (String label : labels) {
                if (label.isEmpty() || label.length() > 3 || !label.chars().allMatch(c -> c >= '0' && c <= '9')
                        || Integer.parseInt(label) > 255 || (label.length() > 1 && label.charAt(0) == '0')) {
                    throw new IllegalArgumentException("not a valid IPv4 address");
                }
            }
            return host;
        }
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            if (label.isEmpty()) {
                if (i == labels.length - 1 && i > 0) {
                    continue; // a single trailing dot (fully qualified name) is fine
                }
                throw new IllegalArgumentException("not a valid host name (empty label)");
            }
            if (label.length() > 63) {
                throw new IllegalArgumentException("not a valid host name (a label is longer than 63 characters)");
            }
            for (int j = 0; j < label.length(); j++) {
                char c = label.charAt(j);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '_';
                if (!ok) {
                    throw new IllegalArgumentException(
                            "not a valid host name or IP address (only letters, digits, '-', '_' and '.' are allowed)");
                }
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                throw new IllegalArgumentException("not a valid host name (a label starts or ends with '-')");
            }
        }
        return host;
    }
}
