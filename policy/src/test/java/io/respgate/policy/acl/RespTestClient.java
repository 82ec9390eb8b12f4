package io.respgate.policy.acl;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal pipelining RESP2 client for differential tests: {@link #send} writes commands without
 * waiting, {@link #read} reads one reply. Replies decode to {@link String} (simple strings and bulk
 * strings, ISO-8859-1 so every byte survives), {@link Long}, {@link Error}, {@code null} or
 * {@link List}.
 */
final class RespTestClient implements Closeable {
    /** An error reply. */
    record Error(String message) {
        @Override
        public String toString() {
            return "-" + message;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RespTestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    void send(byte[]... args) throws IOException {
        out.write(bytes("*" + args.length + "\r\n"));
        for (byte[] a : args) {
            out.write(bytes("$" + a.length + "\r\n"));
            out.write(a);
            out.write('\r');
            out.write('\n');
        }
    }

    void send(List<String> args) throws IOException {
        byte[][] a = new byte[args.size()][];
        for (int i = 0; i < a.length; i++) {
            a[i] = bytes(args.get(i));
        }
        send(a);
    }

    void flush() throws IOException {
        out.flush();
    }

    Object call(String... args) throws IOException {
        send(List.of(args));
        flush();
        return read();
    }

    Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException();
        }
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                return new Error(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(len + 2);
                return new String(b, 0, len, StandardCharsets.ISO_8859_1);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(read());
                }
                return list;
            }
            default:
                throw new IOException("unexpected reply type " + (char) type);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new EOFException();
            }
            b.write(c);
        }
        in.read();
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
