package io.respgate.policy.acl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respgate.codec.testing.RedisProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlobMatcherTest {
    private static final String[] HANDWRITTEN_PATTERNS = {
        "", "[", "[a-", "[a-]", "[-a]", "\\", "\\\\", "[^]", "[^", "[^]]", "[]]", "[]a]", "[\\]]", "[\\", "[a-\\]",
        "a[", "a[b", "**a**", "*?*", "[z-a]", "[a-c]", "[^a-c]", "\\*", "a\\", "a\\*", "?", "??", "*", "**", "a*",
        "a**", "*a", "a*b*c", "*a*b", "[*]", "[?]", "\\[a]", "[\u00e9-\u0080]", "[\u0080-\u00e9]", "[a-\u00e9]",
        "[^\u00e9]", "\u00e9*", "[[]", "[]", "[\\a-c]", "[a\\-c]", "a?c", "*[", "*\\", "[^\\]]", "[]-a]",
        "*a*a*a*a*a*a*a*a*a*b", "abc", "ab", "a",
    };

    private static final byte[] PATTERN_ALPHABET = bytes("abcz*?[]^-\\\u00e9\u0080");
    private static final byte[] STRING_ALPHABET = bytes("abcz-[]^\\*?\u00e9\u0080");

    @Test
    void basicQuirks() {
        assertTrue(GlobMatcher.compile("*").matches("x"));
        assertFalse(GlobMatcher.compile("*").matches(""), "stringmatchlen(\"*\", \"\") is 0");
        assertTrue(GlobMatcher.compile("").matches(""));
        assertTrue(GlobMatcher.compile("abc*").matches("abc"));
        assertFalse(GlobMatcher.compile("abc*").matches("ab"));
        assertTrue(GlobMatcher.compile("[^").matches("q"), "an unterminated [^ matches any byte");
        assertFalse(GlobMatcher.compile("[").matches("["));
        assertTrue(GlobMatcher.compile("[z-a]").matches("m"), "reversed ranges are swapped");
        assertTrue(GlobMatcher.compile("a\\*").matches("a*"));
        assertFalse(GlobMatcher.compile("a\\*").matches("ab"));
        assertTrue(GlobMatcher.compile("a\\").matches("a\\"), "a trailing backslash is literal");
        assertFalse(GlobMatcher.compile("Key").matches("key"), "case-sensitive");
    }

    @Test
    void nestingLimitOf1000Stars() {
        String subject = "a".repeat(1005);
        assertTrue(GlobMatcher.compile("*a".repeat(1000)).matches(subject));
        assertFalse(GlobMatcher.compile("*a".repeat(1001)).matches(subject));
    }

    @Test
    void matchesARegionOfABufferInPlace() {
        ByteBuf buf = Unpooled.directBuffer(64);
        try {
            buf.writeBytes(bytes("xxuser:42yy"));
            GlobMatcher m = GlobMatcher.compile("user:[0-9]?");
            assertTrue(m.matches(buf, 2, 7));
            assertFalse(m.matches(buf, 2, 9));
            assertTrue(GlobMatcher.compile("user:*").matches(buf, 2, 7));
            assertTrue(GlobMatcher.compile("user:42").matches(buf, 2, 7));
        } finally {
            buf.release();
        }
    }

    /** Every pattern of a generated corpus is asked of Redis with KEYS over keys named after the strings. */
    @Test
    void agreesWithRedisStringmatchlen() throws Exception {
        Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server not on PATH");
        Random random = new Random(20240611L);
        Set<String> strings = new LinkedHashSet<>();
        strings.add("");
        strings.add("a".repeat(1005));
        for (byte a : STRING_ALPHABET) {
            strings.add(str(new byte[] {a}));
            for (byte b : STRING_ALPHABET) {
                strings.add(str(new byte[] {a, b}));
            }
        }
        while (strings.size() < 600) {
            strings.add(random(random, STRING_ALPHABET, 1 + random.nextInt(6)));
        }
        Set<String> patterns = new LinkedHashSet<>(List.of(HANDWRITTEN_PATTERNS));
        patterns.add("*a".repeat(1000));
        patterns.add("*a".repeat(1001));
        while (patterns.size() < 4000) {
            patterns.add(random(random, PATTERN_ALPHABET, random.nextInt(9)));
        }
        // KEYS short-cuts the pattern "*" to "every key", which stringmatchlen is not (it does not
        // match ""); basicQuirks covers it.
        patterns.remove("*");

        int compared = 0;
        List<String> failures = new ArrayList<>();
        try (RedisProcess redis = RedisProcess.start();
             RespTestClient client = new RespTestClient(redis.connect(30_000))) {
            for (String s : strings) {
                client.send(bytes("SET"), bytes(s), bytes("1"));
            }
            client.flush();
            for (int i = 0; i < strings.size(); i++) {
                assertEquals("OK", client.read());
            }
            List<String> ordered = new ArrayList<>(patterns);
            for (String p : ordered) {
                client.send(bytes("KEYS"), bytes(p));
            }
            client.flush();
            for (String p : ordered) {
                @SuppressWarnings("unchecked")
                Set<String> redisMatches = new HashSet<>((List<String>) client.read());
                GlobMatcher m = GlobMatcher.compile(bytes(p));
                for (String s : strings) {
                    boolean ours = m.matches(bytes(s));
                    compared++;
                    if (ours != redisMatches.contains(s) && failures.size() < 20) {
                        failures.add("pattern " + show(p) + " string " + show(s) + ": redis "
                                + redisMatches.contains(s) + ", ours " + ours);
                    }
                }
            }
        }
        System.out.println("GlobMatcher vs Redis KEYS: " + patterns.size() + " patterns x " + strings.size()
                + " strings = " + compared + " comparisons, " + failures.size() + " differences");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static String random(Random random, byte[] alphabet, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return str(b);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static String show(String s) {
        return s.length() > 40 ? "'" + s.substring(0, 40) + "...'(" + s.length() + ")" : "'" + s + "'";
    }
}
