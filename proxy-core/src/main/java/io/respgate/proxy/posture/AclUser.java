package io.respgate.proxy.posture;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One line of {@code ACL LIST}, reduced to what the checks judge. Password hashes ({@code #...})
 * and any plaintext password rule ({@code >...}, {@code <...}) are dropped while parsing, so they
 * cannot reach the report: a hash of a weak password is as good as the password.
 *
 * @param name        the user
 * @param on          {@code on}: the user can sign in
 * @param nopass      {@code nopass}: any password signs in as it
 * @param hasPassword at least one password hash is set
 * @param allCommands the user's rules, or one of its selectors, allow every command ({@code +@all}
 *                    or {@code allcommands} not narrowed by a later {@code -} rule)
 * @param rules       the rules without any password or hash, for the report
 */
record AclUser(String name, boolean on, boolean nopass, boolean hasPassword, boolean allCommands, String rules) {
    AclUser {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rules, "rules");
    }

    /**
     * Parses {@code user NAME rule...}.
     *
     * @throws IllegalArgumentException if the line is not a user line; the message never quotes it
     */
    static AclUser parse(String line) {
        List<String> tokens = tokens(line);
        if (tokens.size() < 2 || !tokens.get(0).equals("user")) {
            throw new IllegalArgumentException("not an ACL LIST user line");
        }
        boolean on = false;
        boolean nopass = false;
        boolean hasPassword = false;
        List<String> kept = new ArrayList<>();
        for (String token : tokens.subList(2, tokens.size())) {
            char first = token.charAt(0);
            if (first == '#' || first == '>' || first == '<') {
                // '<' removes a password; ACL LIST never prints it, but it must not be shown either.
                hasPassword |= first != '<';
                continue;
            }
            switch (token) {
                case "on" -> on = true;
                case "off" -> on = false;
                case "nopass" -> nopass = true;
                case "resetpass" -> {
                    nopass = false;
                    hasPassword = false;
                }
                default -> {
                }
            }
            kept.add(token);
        }
        boolean allCommands = false;
        for (String selector : selectors(kept)) {
            allCommands |= allowsEveryCommand(selector);
        }
        return new AclUser(tokens.get(1), on, nopass, hasPassword, allCommands, String.join(" ", kept));
    }

    /** The root rules and each {@code (...)} selector, as separate rule strings. */
    private static List<String> selectors(List<String> kept) {
        List<String> out = new ArrayList<>();
        StringBuilder root = new StringBuilder();
        for (String token : kept) {
            if (token.startsWith("(") && token.endsWith(")")) {
                out.add(token.substring(1, token.length() - 1));
            } else {
                root.append(token).append(' ');
            }
        }
        out.add(root.toString());
        return out;
    }

    /**
     * Whether these rules end up allowing every command. Rules apply left to right, and Redis
     * writes them as a starting point ({@code +@all} or {@code -@all}) followed by changes, so any
     * {@code -} command rule after {@code +@all} narrows it.
     */
    private static boolean allowsEveryCommand(String rules) {
        boolean all = false;
        for (String token : rules.trim().split("\\s+")) {
            if (token.equals("+@all") || token.equals("allcommands")) {
                all = true;
            } else if (token.startsWith("-") || token.equals("nocommands")) {
                all = false;
            }
        }
        return all;
    }

    /** Space-separated tokens; a {@code (...)} selector stays one token even with spaces inside. */
    private static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            if (i >= n) {
                break;
            }
            int start = i;
            if (line.charAt(i) == '(') {
                int close = line.indexOf(')', i);
                i = close < 0 ? n : close + 1;
            } else {
                while (i < n && line.charAt(i) != ' ') {
                    i++;
                }
            }
            out.add(line.substring(start, i));
        }
        return out;
    }
}
