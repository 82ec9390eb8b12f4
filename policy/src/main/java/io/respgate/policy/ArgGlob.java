package io.respgate.policy;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * A glob for argument rules: {@code *} (any run, also empty), {@code ?}, {@code [abc]},
 * {@code [a-z]}, {@code [^...]}, {@code \x}; ASCII case-insensitive, because Redis keywords and
 * config parameter names are. Matching a region of a buffer allocates nothing.
 */
final class ArgGlob {
    private final byte[] p;
    private final String text;

    ArgGlob(String pattern) {
        this.text = pattern;
        byte[] b = pattern.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            b[i] = lower(b[i]);
        }
        this.p = b;
    }

    boolean matchesAll() {
        for (byte b : p) {
            if (b != '*') {
                return false;
            }
        }
        return true;
    }

    boolean matches(ByteBuf buf, int index, int length) {
        int pi = 0;
        int si = 0;
        int starP = -1;
        int starS = -1;
        while (si < length) {
            if (pi < p.length) {
                if (p[pi] == '*') {
                    starP = pi++;
                    starS = si;
                    continue;
                }
                int next = matchOne(pi, lower(buf.getByte(index + si)));
                if (next >= 0) {
                    pi = next;
                    si++;
                    continue;
                }
            }
            if (starP < 0) {
                return false;
            }
            pi = starP + 1;
            si = ++starS;
        }
        while (pi < p.length && p[pi] == '*') {
            pi++;
        }
        return pi == p.length;
    }

    /** The pattern index after the one-character token at {@code pi} if it matches {@code c}, else -1. */
    private int matchOne(int pi, byte c) {
        byte t = p[pi];
        if (t == '?') {
            return pi + 1;
        }
        if (t == '\\' && pi + 1 < p.length) {
            return p[pi + 1] == c ? pi + 2 : -1;
        }
        if (t != '[') {
            return t == c ? pi + 1 : -1;
        }
        int i = pi + 1;
        boolean not = i < p.length && p[i] == '^';
        if (not) {
            i++;
        }
        boolean matched = false;
        boolean first = true;
        while (i < p.length && (p[i] != ']' || first)) {
            first = false;
            if (p[i] == '\\' && i + 1 < p.length) {
                matched |= p[i + 1] == c;
                i += 2;
            } else if (i + 2 < p.length && p[i + 1] == '-' && p[i + 2] != ']') {
                int lo = p[i] & 0xff;
                int hi = p[i + 2] & 0xff;
                int v = c & 0xff;
                matched |= v >= Math.min(lo, hi) && v <= Math.max(lo, hi);
                i += 3;
            } else {
                matched |= p[i] == c;
                i++;
            }
        }
        if (i >= p.length) {
            // Unterminated '[': a literal '['.
            return c == '[' ? pi + 1 : -1;
        }
        return matched != not ? i + 1 : -1;
    }

    static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    @Override
    public String toString() {
        return text;
    }
}
