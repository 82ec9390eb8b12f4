package io.respgate.policy.acl;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Redis's {@code sdssplitargs} (sds.c), byte for byte, as used to split the inside of a selector. */
final class SplitArgs {
    private SplitArgs() {
    }

    /** The arguments of {@code line} (read as a C string: it ends at the first NUL), or null on a quoting error. */
    static List<byte[]> split(byte[] line) {
        List<byte[]> out = new ArrayList<>();
        int p = 0;
        while (true) {
            while (at(line, p) != 0 && isSpace(at(line, p))) {
                p++;
            }
            if (at(line, p) == 0) {
                return out;
            }
            boolean inq = false;
            boolean insq = false;
            boolean done = false;
            ByteArrayOutputStream current = new ByteArrayOutputStream();
            while (!done) {
                byte c = at(line, p);
                if (inq) {
                    if (c == '\\' && at(line, p + 1) == 'x' && isHex(at(line, p + 2)) && isHex(at(line, p + 3))) {
                        current.write(hex(at(line, p + 2)) * 16 + hex(at(line, p + 3)));
                        p += 3;
                    } else if (c == '\\' && at(line, p + 1) != 0) {
                        p++;
                        byte e = at(line, p);
                        switch (e) {
                            case 'n': current.write('\n'); break;
                            case 'r': current.write('\r'); break;
                            case 't': current.write('\t'); break;
                            case 'b': current.write('\b'); break;
                            case 'a': current.write(7); break;
                            default: current.write(e); break;
                        }
                    } else if (c == '"') {
                        if (at(line, p + 1) != 0 && !isSpace(at(line, p + 1))) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        current.write(c);
                    }
                } else if (insq) {
                    if (c == '\\' && at(line, p + 1) == '\'') {
                        p++;
                        current.write('\'');
                    } else if (c == '\'') {
                        if (at(line, p + 1) != 0 && !isSpace(at(line, p + 1))) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        current.write(c);
                    }
                } else {
                    switch (c) {
                        case ' ': case '\n': case '\r': case '\t': case 0:
                            done = true;
                            break;
                        case '"':
                            inq = true;
                            break;
                        case '\'':
                            insq = true;
                            break;
                        default:
                            current.write(c);
                            break;
                    }
                }
                if (at(line, p) != 0) {
                    p++;
                }
            }
            out.add(current.toByteArray());
        }
    }

    private static byte at(byte[] b, int i) {
        return i < b.length ? b[i] : 0;
    }

    /** C's {@code isspace} in the "C" locale. */
    static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return (c | 0x20) - 'a' + 10;
    }
}
