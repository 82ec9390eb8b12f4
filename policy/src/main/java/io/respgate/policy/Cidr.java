package io.respgate.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * An IPv4 or IPv6 network in CIDR notation. An IPv4-mapped IPv6 client address matches IPv4 networks.
 * Public for {@code upstream.watch.known_clients} in the config; equal when network and prefix are.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /** Parses {@code a.b.c.d/n}, {@code x::y/n}, or a bare address (a /32 or /128). No host names. */
    public static Cidr parse(String s) {
        String t = s.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        // ASCII only: Character.digit and isDigit also take other scripts' digits (fullwidth, Arabic-Indic),
        // which Integer.parseInt and InetAddress read as numbers.
        if (addr.isEmpty() || !addr.chars().allMatch(c -> isAsciiDigit(c) || (c >= 'a' && c <= 'f')
                || (c >= 'A' && c <= 'F') || c == '.' || c == ':')) {
            throw new IllegalArgumentException("not an IP address or CIDR network");
        }
        // Only literals reach InetAddress: anything else (dead.beef.cafe.face, 10.0.0.1a, 300.1.1.1) it
        // would look up with the name service, and accept as whatever the name resolves to.
        if (addr.indexOf(':') < 0 && !isDottedQuad(addr)) {
            throw new IllegalArgumentException("not an IP address or CIDR network");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address or CIDR network");
        }
        if (addr.indexOf(':') >= 0 && bytes.length == 4) {
            throw new IllegalArgumentException("write an IPv4-mapped network in IPv4 form");
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Cidr::isAsciiDigit)) {
                throw new IllegalArgumentException("the prefix length must be a number between 0 and " + max);
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new IllegalArgumentException("the prefix length must be a number between 0 and " + max);
            }
        }
        for (int bit = prefix; bit < max; bit++) {
            if ((bytes[bit >>> 3] & (0x80 >>> (bit & 7))) != 0) {
                throw new IllegalArgumentException("has host bits set after the /" + prefix + " prefix");
            }
        }
        return new Cidr(bytes, prefix, t.toLowerCase(Locale.ROOT));
    }

    /** Four decimal numbers of 1 to 3 ASCII digits, each at most 255, separated by dots. */
    private static boolean isDottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Cidr::isAsciiDigit)
                    || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiDigit(int c) {
        return c >= '0' && c <= '9';
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == 16 && network.length == 4 && isV4Mapped(a)) {
            return matches(a, 12);
        }
        return a.length == network.length && matches(a, 0);
    }

    int prefix() {
        return prefix;
    }

    private boolean matches(byte[] a, int offset) {
        int full = prefix >>> 3;
        for (int i = 0; i < full; i++) {
            if (a[offset + i] != network[i]) {
                return false;
            }
        }
        int rest = prefix & 7;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[offset + full] & mask) == (network[full] & mask);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && prefix == c.prefix && java.util.Arrays.equals(network, c.network);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(network) + prefix;
    }

    @Override
    public String toString() {
        return text;
    }
}
