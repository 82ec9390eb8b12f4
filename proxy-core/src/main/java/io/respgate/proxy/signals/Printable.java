package io.respgate.proxy.signals;

/** Text from Redis made safe for one log line: control characters replaced, length capped. */
final class Printable {
    private Printable() {
    }

    static String clean(String s, int max) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), max + 3));
        for (int i = 0; i < s.length() && out.length() < max; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (s.length() > max) {
            out.append("...");
        }
        return out.toString();
    }

    /** {@code "value"}, cleaned, for "changed from A to B" lines. */
    static String quoted(String s) {
        return "\"" + clean(s, 200).replace("\"", "\\\"") + "\"";
    }
}
