package io.respgate.codec.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Encodes requests the two ways a client may send them: multibulk, and inline in the many spellings
 * Redis's {@code sdssplitargs} accepts for the same arguments (plain words, single quotes, double
 * quotes with {@code \xHH} and letter escapes, runs of blanks, {@code \n} or {@code \r\n} line ends).
 * Any argument bytes, NUL and CR LF included, have an inline spelling.
 */
public final class RespRequests {
    private RespRequests() {
    }

    /** The canonical multibulk encoding of {@code args}. */
    public static byte[] multibulk(List<byte[]> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] arg : args) {
            out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(arg);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    /**
     * One inline request line for {@code args} (at least one), its spelling chosen by {@code random}.
     * Redis and a correct decoder split it back into exactly {@code args}.
     */
    public static byte[] inline(List<byte[]> args, Random random) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("an inline request needs an argument");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (random.nextInt(5) == 0) {
            out.writeBytes(blanks(random));
        }
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                out.writeBytes(blanks(random));
            }
            token(out, args.get(i), i == 0, random);
        }
        if (random.nextInt(5) == 0) {
            out.writeBytes(blanks(random));
        }
        out.writeBytes(random.nextInt(4) == 0 ? new byte[] {'\n'} : new byte[] {'\r', '\n'});
        return out.toByteArray();
    }

    private static byte[] blanks(Random random) {
        String[] choices = {" ", " ", " ", "  ", "\t", " \t "};
        return choices[random.nextInt(choices.length)].getBytes(StandardCharsets.US_ASCII);
    }

    private static void token(ByteArrayOutputStream out, byte[] arg, boolean first, Random random) {
        if (plainOk(arg, first) && random.nextInt(3) != 0) {
            out.writeBytes(arg);
        } else if (singleQuotedOk(arg) && random.nextBoolean()) {
            out.write('\'');
            for (byte b : arg) {
                if (b == '\'') {
                    out.write('\\');
                }
                out.write(b);
            }
            out.write('\'');
        } else {
            out.write('"');
            for (byte b : arg) {
                doubleQuoted(out, b & 0xFF, random);
            }
            out.write('"');
        }
    }

    /** A word without quotes or blanks; the first one must not start with '*', or the line is a multibulk. */
    private static boolean plainOk(byte[] arg, boolean first) {
        if (arg.length == 0 || (first && arg[0] == '*')) {
            return false;
        }
        for (byte b : arg) {
            int c = b & 0xFF;
            if (c <= ' ' || c == '"' || c == '\'') {
                return false;
            }
        }
        return true;
    }

    /** Inside single quotes only {@code \'} is an escape, so a backslash could be misread; NUL and LF end the line. */
    private static boolean singleQuotedOk(byte[] arg) {
        for (byte b : arg) {
            if (b == '\\' || b == '\n' || b == 0) {
                return false;
            }
        }
        return true;
    }

    private static void doubleQuoted(ByteArrayOutputStream out, int c, Random random) {
        boolean hex = random.nextInt(6) == 0;
        switch (c) {
            case '"' -> escaped(out, '"');
            case '\\' -> escaped(out, '\\');
            case '\n' -> {
                if (hex) {
                    hexEscape(out, c, random);
                } else {
                    escaped(out, 'n');
                }
            }
            case 0 -> hexEscape(out, c, random);
            case '\r' -> {
                if (hex) {
                    hexEscape(out, c, random);
                } else if (random.nextBoolean()) {
                    escaped(out, 'r');
                } else {
                    out.write(c);
                }
            }
            case '\t' -> {
                if (random.nextBoolean()) {
                    escaped(out, 't');
                } else {
                    out.write(c);
                }
            }
            case '\b' -> escaped(out, 'b');
            case 7 -> escaped(out, 'a');
            default -> {
                if (hex || c < 0x20 || c == 0x7f) {
                    hexEscape(out, c, random);
                } else {
                    out.write(c);
                }
            }
        }
    }

    private static void escaped(ByteArrayOutputStream out, char c) {
        out.write('\\');
        out.write(c);
    }

    private static void hexEscape(ByteArrayOutputStream out, int c, Random random) {
        String hex = String.format(random.nextBoolean() ? "%02x" : "%02X", c);
        out.write('\\');
        out.write('x');
        out.writeBytes(hex.getBytes(StandardCharsets.US_ASCII));
    }
}
