package io.respgate.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Encodes the proxy's own {@code AUTH [username] password} to Redis, once, at start-up. */
final class UpstreamAuthCommand {
    private UpstreamAuthCommand() {
    }

    static byte[] encode(String username, byte[] password) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int args = username == null ? 2 : 3;
        header(out, '*', args);
        bulk(out, "AUTH".getBytes(StandardCharsets.US_ASCII));
        if (username != null) {
            bulk(out, username.getBytes(StandardCharsets.UTF_8));
        }
        bulk(out, password);
        return out.toByteArray();
    }

    private static void bulk(ByteArrayOutputStream out, byte[] value) {
        header(out, '$', value.length);
        out.writeBytes(value);
        out.write('\r');
        out.write('\n');
    }

    private static void header(ByteArrayOutputStream out, char marker, int n) {
        out.write(marker);
        out.writeBytes(Integer.toString(n).getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
    }
}
