package io.respgate.proxy.signals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code CLIENT LIST}, reduced to what the bypass detector judges and reports. Redis
 * shows no command arguments there, only the name of the last command.
 *
 * @param id      Redis's client id, unique for the server's lifetime
 * @param addr    the peer address as Redis prints it ({@code 10.0.0.5:51234}, {@code [::1]:51234},
 *                {@code /run/redis.sock:0}), cleaned for logs
 * @param ip      the peer's IP address; null for a Unix socket
 * @param port    the peer's port (0 for a Unix socket)
 * @param age     seconds since the connection was accepted
 * @param user    the ACL user ({@code user=}); empty before Redis 6
 * @param name    the name the client gave itself ({@code CLIENT SETNAME}); empty if none
 * @param command the last command ({@code cmd=}), e.g. {@code get} or {@code client|list}
 */
record ClientInfo(long id, String addr, InetAddress ip, int port, long age, String user, String name,
                  String command) {

    /**
     * Parses a whole {@code CLIENT LIST} reply.
     *
     * @throws IllegalArgumentException if a line has no usable {@code id}, {@code addr} or {@code age};
     *                                  the message never quotes the reply
     */
    static List<ClientInfo> parseList(String reply) {
        List<ClientInfo> clients = new ArrayList<>();
        for (String line : reply.split("\n")) {
            String l = line.strip();
            if (!l.isEmpty()) {
                clients.add(parse(l));
            }
        }
        return clients;
    }

    static ClientInfo parse(String line) {
        long id = -1;
        long age = -1;
        String addr = null;
        String user = "";
        String name = "";
        String command = "";
        for (String token : line.split(" ")) {
            int eq = token.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String value = token.substring(eq + 1);
            switch (token.substring(0, eq)) {
                case "id" -> id = number(value, "id");
                case "age" -> age = number(value, "age");
                case "addr" -> addr = value;
                case "user" -> user = value;
                case "name" -> name = value;
                case "cmd" -> command = value;
                default -> {
                }
            }
        }
        if (id < 0 || age < 0 || addr == null) {
            throw new IllegalArgumentException("a CLIENT LIST line without id, addr or age");
        }
        int colon = addr.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("a CLIENT LIST addr without a port");
        }
        int port;
        try {
            port = Integer.parseInt(addr.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a CLIENT LIST addr without a port");
        }
        return new ClientInfo(id, Printable.clean(addr, 100), ipLiteral(addr.substring(0, colon)), port, age,
                Printable.clean(user, 100), Printable.clean(name, 100), Printable.clean(command, 60));
    }

    private static long number(String value, String what) {
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("a CLIENT LIST " + what + " is not a number");
    }

    /**
     * The address for an IPv4 or IPv6 literal (brackets and scope allowed), null for anything else
     * (a Unix socket path). Never a DNS lookup: only literal characters get as far as the parser.
     */
    static InetAddress ipLiteral(String host) {
        String h = host;
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        int scope = h.indexOf('%');
        if (scope >= 0) {
            h = h.substring(0, scope);
        }
        if (h.isEmpty() || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return null;
        }
        if (h.indexOf(':') < 0 && h.chars().filter(c -> c == '.').count() != 3) {
            return null;
        }
        try {
            return InetAddress.getByName(h);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
