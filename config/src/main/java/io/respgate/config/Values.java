package io.respgate.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Scalar parsing and the "got ..." descriptions used in error messages. */
final class Values {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s?(b|kb|mb|gb)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern SINGLE_LETTER_SIZE = Pattern.compile("\\d+\\s?[kmg]", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s?(ms|s|m|h)", Pattern.CASE_INSENSITIVE);
    private static final int MAX_QUOTED = 80;
    /** Returned by {@link #size} for a well-formed size that does not fit in a long. */
    static final long SIZE_OVERFLOW = Long.MIN_VALUE;

    private Values() {
    }

    /** A value as it appears after "got" in an error message. */
    static String describe(Object value) {
        if (value == null) {
            return "nothing (null)";
        }
        if (value instanceof String s) {
            return quote(s);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof List || value instanceof java.util.Set) {
            return "a list";
        }
        if (value instanceof byte[]) {
            return "binary data";
        }
        return "a value of type " + value.getClass().getSimpleName();
    }

    /** Double-quoted, control characters escaped, long text shortened. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_QUOTED) + 8).append('"');
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (n++ >= MAX_QUOTED) {
                sb.append("...");
                break;
            }
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** An integral YAML value as a long, or null if it is not integral or does not fit. */
    static Long integral(Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof BigInteger b && b.bitLength() < 64) {
            return b.longValue();
        }
        return null;
    }

    /**
     * Bytes from an integer or a string like {@code 512mb} (1024-based, case-insensitive); -1 if not a
     * size, {@link #SIZE_OVERFLOW} if too large.
     */
    static long size(Object value) {
        Long n = integral(value);
        if (n != null) {
            return n;
        }
        if (!(value instanceof String s)) {
            return -1;
        }
        Matcher m = SIZE.matcher(s.strip());
        if (!m.matches()) {
            return -1;
        }
        try {
            long number = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
            long factor = switch (unit) {
                case "kb" -> 1024L;
                case "mb" -> 1024L * 1024;
                case "gb" -> 1024L * 1024 * 1024;
                default -> 1L;
            };
            return Math.multiplyExact(number, factor);
        } catch (ArithmeticException | NumberFormatException e) {
            return SIZE_OVERFLOW;
        }
    }

    /** Whether the text looks like a Redis-style single-letter size ({@code 1k} = 1000 in Redis). */
    static boolean singleLetterSize(Object value) {
        return value instanceof String s && SINGLE_LETTER_SIZE.matcher(s.strip()).matches();
    }

    /** A duration from {@code 250ms}, {@code 2s}, {@code 1m} or {@code 1h}; null if not a duration. */
    static Duration duration(Object value) {
        if (!(value instanceof String s)) {
            return null;
        }
        Matcher m = DURATION.matcher(s.strip());
        if (!m.matches()) {
            return null;
        }
        long number = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(number);
            case "s" -> Duration.ofSeconds(number);
            case "m" -> Duration.ofMinutes(number);
            default -> Duration.ofHours(number);
        };
    }

    /** A duration written back the way a user would, e.g. {@code 2s} or {@code 250ms}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** A size written back the way a user would, e.g. {@code 512mb}. */
    static String formatSize(long bytes) {
        if (bytes != 0 && bytes % (1024L * 1024 * 1024) == 0) {
            return bytes / (1024L * 1024 * 1024) + "gb";
        }
        if (bytes != 0 && bytes % (1024L * 1024) == 0) {
            return bytes / (1024L * 1024) + "mb";
        }
        if (bytes != 0 && bytes % 1024 == 0) {
            return bytes / 1024 + "kb";
        }
        return Long.toString(bytes);
    }

    /** A Redis ACL user name: non-empty, no spaces or control characters. */
    static String checkUsername(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("the user name must not be empty");
        }
        if (name.length() > 256) {
            throw new IllegalArgumentException("the user name is longer than 256 characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == 0x7f || Character.isWhitespace(c)) {
                throw new IllegalArgumentException("the user name must not contain spaces or control characters");
            }
        }
        return name;
    }
}
