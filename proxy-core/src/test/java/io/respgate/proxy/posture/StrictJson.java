package io.respgate.proxy.posture;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader for what the report prints: a JSON array of objects whose values are strings.
 * Anything else (a bad escape, a raw control character, trailing text) fails the test, so the
 * escaper is checked against the grammar, not against itself.
 */
final class StrictJson {
    private final String s;
    private int i;

    private StrictJson(String s) {
        this.s = s;
    }

    static List<Map<String, String>> arrayOfObjects(String text) {
        StrictJson p = new StrictJson(text);
        List<Map<String, String>> out = p.array();
        p.space();
        if (p.i != text.length()) {
            throw new IllegalArgumentException("trailing text at " + p.i);
        }
        return out;
    }

    static String string(String literal) {
        StrictJson p = new StrictJson(literal);
        String out = p.string();
        if (p.i != literal.length()) {
            throw new IllegalArgumentException("trailing text at " + p.i);
        }
        return out;
    }

    private List<Map<String, String>> array() {
        space();
        expect('[');
        List<Map<String, String>> out = new ArrayList<>();
        space();
        if (peek() == ']') {
            i++;
            return out;
        }
        for (;;) {
            out.add(object());
            space();
            char c = next();
            if (c == ']') {
                return out;
            }
            if (c != ',') {
                throw new IllegalArgumentException("expected , or ] at " + (i - 1));
            }
        }
    }

    private Map<String, String> object() {
        space();
        expect('{');
        Map<String, String> out = new LinkedHashMap<>();
        for (;;) {
            space();
            String key = string();
            space();
            expect(':');
            space();
            if (out.put(key, string()) != null) {
                throw new IllegalArgumentException("duplicate key " + key);
            }
            space();
            char c = next();
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                throw new IllegalArgumentException("expected , or } at " + (i - 1));
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        for (;;) {
            char c = next();
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw new IllegalArgumentException("raw control character at " + (i - 1));
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    String hex = s.substring(i, i + 4);
                    if (!hex.matches("[0-9a-fA-F]{4}")) {
                        throw new IllegalArgumentException("bad \\u escape at " + i);
                    }
                    out.append((char) Integer.parseInt(hex, 16));
                    i += 4;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e + " at " + (i - 1));
            }
        }
    }

    private void space() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }

    private char peek() {
        if (i >= s.length()) {
            throw new IllegalArgumentException("unexpected end");
        }
        return s.charAt(i);
    }

    private char next() {
        char c = peek();
        i++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw new IllegalArgumentException("expected " + c + " at " + (i - 1));
        }
    }
}
