package io.respgate.proxy.posture;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which interfaces Redis listens on. The first rule of the checklist: Redis is never reachable
 * from the public internet, and is best reachable from nothing but the proxy's host.
 */
final class BindAddressCheck implements PostureCheck {
    static final String ID = "redis-bind";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final String FIX = "bind Redis to loopback or to a private interface only (bind 127.0.0.1"
            + " or bind 10.0.0.5 in redis.conf), and firewall its port so that only RespGate's host reaches it";

    enum Scope { LOOPBACK, PRIVATE, EVERY_INTERFACE, PUBLIC, UNKNOWN }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> run(Deployment d) {
        Answer<String> bind = d.redis().bind();
        if (!bind.known()) {
            return List.of(bind.unavailable(ID, "CONFIG GET bind"));
        }
        String shown = Text.shorten(bind.value().strip());
        List<String> addresses = addresses(bind.value());
        if (addresses.isEmpty()) {
            return List.of(Finding.warn(ID, "bind is empty: Redis listens on every interface", FIX));
        }
        List<String> wide = new ArrayList<>();
        List<String> publicOnes = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String address : addresses) {
            switch (scope(address)) {
                case EVERY_INTERFACE -> wide.add(address);
                case PUBLIC -> publicOnes.add(address);
                case UNKNOWN -> unknown.add(address);
                default -> {
                }
            }
        }
        if (!wide.isEmpty()) {
            return List.of(Finding.warn(ID, "Redis listens on every interface (bind " + shown + ")", FIX));
        }
        if (!publicOnes.isEmpty()) {
            return List.of(Finding.warn(ID, "Redis listens on a public address: " + String.join(", ", publicOnes)
                    + " (bind " + shown + ")", FIX));
        }
        if (!unknown.isEmpty()) {
            return List.of(Finding.warn(ID, "cannot classify bind address " + String.join(", ", unknown)
                    + " (bind " + shown + ")", FIX));
        }
        return List.of(Finding.pass(ID, "Redis listens only on loopback or private addresses (bind " + shown + ")"));
    }

    /** The addresses, without the {@code -} Redis allows in front of an optional one. */
    static List<String> addresses(String bind) {
        List<String> out = new ArrayList<>();
        for (String token : bind.strip().split("\\s+")) {
            String address = token.startsWith("-") ? token.substring(1) : token;
            if (!address.isEmpty()) {
                out.add(address);
            }
        }
        return out;
    }

    static Scope scope(String address) {
        if (address.equals("*") || address.equals("::*")) {
            return Scope.EVERY_INTERFACE;
        }
        InetAddress ip = literal(address);
        if (ip == null) {
            return Scope.UNKNOWN;
        }
        if (ip.isAnyLocalAddress()) {
            return Scope.EVERY_INTERFACE;
        }
        if (ip.isLoopbackAddress()) {
            return Scope.LOOPBACK;
        }
        if (ip.isSiteLocalAddress() || ip.isLinkLocalAddress() || isUniqueLocal(ip) || isCarrierNat(ip)) {
            return Scope.PRIVATE;
        }
        return Scope.PUBLIC;
    }

    /** The address only if it is an IP literal: nothing is ever looked up in DNS. */
    private static InetAddress literal(String address) {
        try {
            if (IPV4.matcher(address).matches()) {
                return InetAddress.getByName(address);
            }
            if (address.indexOf(':') >= 0 && address.indexOf('[') < 0) {
                // Brackets make the JDK read the text strictly as an IPv6 literal.
                return InetAddress.getByName("[" + address + "]");
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }

    /** fc00::/7, IPv6's private range (the JDK's site-local is the deprecated fec0::/10). */
    private static boolean isUniqueLocal(InetAddress ip) {
        return ip instanceof Inet6Address && (ip.getAddress()[0] & 0xfe) == 0xfc;
    }

    /** 100.64.0.0/10, shared address space: not routed on the internet. */
    private static boolean isCarrierNat(InetAddress ip) {
        byte[] b = ip.getAddress();
        return ip instanceof Inet4Address && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }
}
