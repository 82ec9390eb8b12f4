package io.respgate.proxy.posture;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** A RESP2 reply, as the audit's blocking client reads it. */
public sealed interface Reply {
    /** {@code +OK}. */
    record Simple(String text) implements Reply {
    }

    /** {@code -ERR ...}. */
    record Error(String text) implements Reply {
        /** The first word: {@code ERR}, {@code NOPERM}, {@code WRONGPASS}, ... */
        public String code() {
            int space = text.indexOf(' ');
            return space < 0 ? text : text.substring(0, space);
        }

        public boolean noPermission() {
            return code().equals("NOPERM");
        }
    }

    /** {@code :42}. */
    record Number(long value) implements Reply {
    }

    /** {@code $3 abc}; {@code bytes} is null for the nil bulk string. */
    record Bulk(byte[] bytes) implements Reply {
        public String text() {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** {@code *2 ...}; {@code items} is null for the nil array. */
    record Array(List<Reply> items) implements Reply {
    }

    /** Simple and bulk strings as text, for replies whose type varies between versions. */
    static String textOf(Reply reply) {
        if (reply instanceof Simple s) {
            return s.text();
        }
        if (reply instanceof Bulk b) {
            return b.text();
        }
        return null;
    }

    /** A short description of an unexpected reply; never the contents of a bulk string. */
    static String describe(Reply reply) {
        if (reply instanceof Error e) {
            return "-" + Text.shorten(e.text());
        }
        if (reply instanceof Simple s) {
            return "+" + Text.shorten(s.text());
        }
        if (reply instanceof Number n) {
            return ":" + n.value();
        }
        if (reply instanceof Bulk b) {
            return b.bytes() == null ? "a nil reply" : "a bulk string";
        }
        return "an array";
    }
}
