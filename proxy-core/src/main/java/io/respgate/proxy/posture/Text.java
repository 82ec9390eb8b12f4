package io.respgate.proxy.posture;

/** Small text helpers for report lines. */
final class Text {
    private static final int MAX = 160;

    private Text() {
    }

    /** {@code s} with control characters replaced by spaces, so it stays on one report line. */
    static String oneLine(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return out.toString();
    }

    /** One line of at most 160 characters, control characters replaced, so a reply cannot break the report. */
    static String shorten(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX + 3));
        for (int i = 0; i < s.length() && out.length() < MAX; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        if (s.length() > MAX) {
            out.append("...");
        }
        return out.toString();
    }
}
