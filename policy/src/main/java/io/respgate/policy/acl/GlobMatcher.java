package io.respgate.policy.acl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A compiled glob pattern that matches exactly as Redis 7.0's {@code stringmatchlen} (util.c) does
 * with {@code nocase = 0}, the way ACL key and channel patterns are matched.
 *
 * <p>The port keeps every quirk of the C code: {@code *}, {@code ?}, {@code [...]} with ranges (ends
 * swapped when reversed), {@code ^} negation, backslash escapes inside and outside brackets, an
 * unterminated {@code [} that matches as if closed at the end of the pattern, bytes compared as
 * signed {@code char}s (so ranges over bytes >= 0x80 behave as on x86), {@code *} never matching an
 * empty string ({@code "*"} does not match {@code ""}), the "skip longer matches" cut-off, and the
 * nesting limit of 1000 recursive {@code *} (beyond it nothing matches). Reads one past the end of
 * the pattern see the terminating NUL, as in the C code.
 *
 * <p>Matching a region of a {@link ByteBuf} allocates nothing. Instances are immutable and
 * thread-safe.
 */
public final class GlobMatcher {
    private static final int NO_MATCH = 0;
    private static final int MATCH = 1;
    /** No match, and the caller's {@code *} loops must give up too (Redis's skipLongerMatches). */
    private static final int NO_MATCH_SKIP = -1;
    private static final int MAX_NESTING = 1000;

    private enum Kind { LITERAL, PREFIX, NON_EMPTY, GENERAL }

    private final byte[] pattern;
    private final Kind kind;
    /** For LITERAL the whole pattern, for PREFIX the part before the trailing stars. */
    private final int literalLength;

    private GlobMatcher(byte[] pattern) {
        this.pattern = pattern;
        int special = -1;
        for (int i = 0; i < pattern.length; i++) {
            byte b = pattern[i];
            if (b == '*' || b == '?' || b == '[' || b == '\\') {
                special = i;
                break;
            }
        }
        if (special < 0) {
            kind = Kind.LITERAL;
            literalLength = pattern.length;
        } else if (onlyStarsFrom(pattern, special)) {
            // "abc*" matches every string starting with "abc" (including "abc"), but "*" alone
            // does not match the empty string.
            kind = special == 0 ? Kind.NON_EMPTY : Kind.PREFIX;
            literalLength = special;
        } else {
            kind = Kind.GENERAL;
            literalLength = -1;
        }
    }

    private static boolean onlyStarsFrom(byte[] pattern, int from) {
        for (int i = from; i < pattern.length; i++) {
            if (pattern[i] != '*') {
                return false;
            }
        }
        return true;
    }

    /** Compiles {@code pattern}; the array is copied. */
    public static GlobMatcher compile(byte[] pattern) {
        return new GlobMatcher(pattern.clone());
    }

    /** Compiles the UTF-8 bytes of {@code pattern}. */
    public static GlobMatcher compile(String pattern) {
        return new GlobMatcher(pattern.getBytes(StandardCharsets.UTF_8));
    }

    /** The pattern's bytes (a copy). */
    public byte[] pattern() {
        return pattern.clone();
    }

    /** Whether the {@code length} bytes of {@code buf} at absolute {@code index} match. Allocation-free. */
    public boolean matches(ByteBuf buf, int index, int length) {
        switch (kind) {
            case LITERAL:
                return length == literalLength && regionEquals(buf, index, literalLength);
            case PREFIX:
                return length >= literalLength && regionEquals(buf, index, literalLength);
            case NON_EMPTY:
                return length > 0;
            default:
                return match(pattern, 0, pattern.length, buf, index, length, 0) == MATCH;
        }
    }

    /**
     * Whether the key matches, given both as a copy ({@code copy[0, length)}) and in place
     * ({@code buf} at {@code index}): the literal and prefix forms compare the copy as an array,
     * the general form reads the buffer. Allocation-free.
     */
    boolean matches(byte[] copy, int length, ByteBuf buf, int index) {
        switch (kind) {
            case LITERAL:
                return length == literalLength && Arrays.equals(copy, 0, literalLength, pattern, 0, literalLength);
            case PREFIX:
                return length >= literalLength && Arrays.equals(copy, 0, literalLength, pattern, 0, literalLength);
            case NON_EMPTY:
                return length > 0;
            default:
                return match(pattern, 0, pattern.length, buf, index, length, 0) == MATCH;
        }
    }

    /** Whether {@code string} matches. For tests and diagnostics; wraps the array. */
    public boolean matches(byte[] string) {
        return matches(Unpooled.wrappedBuffer(string), 0, string.length);
    }

    /** Whether the UTF-8 bytes of {@code string} match. For tests and diagnostics. */
    public boolean matches(String string) {
        return matches(string.getBytes(StandardCharsets.UTF_8));
    }

    private boolean regionEquals(ByteBuf buf, int index, int length) {
        for (int i = 0; i < length; i++) {
            if (buf.getByte(index + i) != pattern[i]) {
                return false;
            }
        }
        return true;
    }

    /** The pattern byte at {@code i}, or the C string's terminating NUL past the end. */
    private static byte at(byte[] pat, int i) {
        return i < pat.length ? pat[i] : 0;
    }

    /**
     * A line-by-line port of {@code stringmatchlen_impl}. Invariant: {@code p + plen == pat.length}.
     * Bytes are compared as Java's signed bytes, which is what C's {@code char} is on x86 and ARM
     * Linux builds of Redis for x86 (ranges are compared as {@code int} of a signed char).
     */
    private static int match(byte[] pat, int p, int plen, ByteBuf buf, int s, int slen, int nesting) {
        if (nesting > MAX_NESTING) {
            return NO_MATCH;
        }
        while (plen > 0 && slen > 0) {
            byte pc = pat[p];
            switch (pc) {
                case '*': {
                    while (plen > 0 && at(pat, p + 1) == '*') {
                        p++;
                        plen--;
                    }
                    if (plen == 1) {
                        return MATCH;
                    }
                    while (slen > 0) {
                        int r = match(pat, p + 1, plen - 1, buf, s, slen, nesting + 1);
                        if (r != NO_MATCH) {
                            return r; // MATCH, or NO_MATCH_SKIP propagating the cut-off
                        }
                        s++;
                        slen--;
                    }
                    return NO_MATCH_SKIP;
                }
                case '?':
                    s++;
                    slen--;
                    break;
                case '[': {
                    byte c = buf.getByte(s);
                    p++;
                    plen--;
                    boolean not = at(pat, p) == '^';
                    if (not) {
                        p++;
                        plen--;
                    }
                    boolean matched = false;
                    while (true) {
                        byte b = at(pat, p);
                        if (b == '\\' && plen >= 2) {
                            p++;
                            plen--;
                            if (pat[p] == c) {
                                matched = true;
                            }
                        } else if (b == ']') {
                            break;
                        } else if (plen == 0) {
                            p--;
                            plen++;
                            break;
                        } else if (plen >= 3 && pat[p + 1] == '-') {
                            int start = pat[p];
                            int end = pat[p + 2];
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            p += 2;
                            plen -= 2;
                            if (c >= start && c <= end) {
                                matched = true;
                            }
                        } else if (b == c) {
                            matched = true;
                        }
                        p++;
                        plen--;
                    }
                    if (not) {
                        matched = !matched;
                    }
                    if (!matched) {
                        return NO_MATCH;
                    }
                    s++;
                    slen--;
                    break;
                }
                case '\\':
                    if (plen >= 2) {
                        p++;
                        plen--;
                    }
                    // fall through
                default:
                    if (pat[p] != buf.getByte(s)) {
                        return NO_MATCH;
                    }
                    s++;
                    slen--;
                    break;
            }
            p++;
            plen--;
            if (slen == 0) {
                while (at(pat, p) == '*') {
                    p++;
                    plen--;
                }
                break;
            }
        }
        return plen == 0 && slen == 0 ? MATCH : NO_MATCH;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GlobMatcher && Arrays.equals(pattern, ((GlobMatcher) o).pattern);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(pattern);
    }

    @Override
    public String toString() {
        return new String(pattern, StandardCharsets.UTF_8);
    }
}
