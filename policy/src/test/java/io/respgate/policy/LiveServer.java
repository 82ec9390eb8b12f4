package io.respgate.policy;

import io.respgate.codec.testing.RedisProcess;
import org.junit.jupiter.api.Assumptions;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A redis-server child and a tiny RESP2 client: replies as String (errors start with '-'), Long, List or null. */
final class LiveServer implements AutoCloseable {
    private final RedisProcess process;
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private LiveServer(RedisProcess process) throws IOException {
        this.process = process;
        this.socket = process.connect(5000);
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    static LiveServer start() throws IOException {
        Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server not on PATH");
        RedisProcess p = RedisProcess.start();
        try {
            return new LiveServer(p);
        } catch (IOException e) {
            p.close();
            throw e;
        }
    }

    Object call(byte[]... args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            b.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(a);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        out.write(b.toByteArray());
        out.flush();
        return read();
    }

    Object call(String... args) throws IOException {
        byte[][] a = new byte[args.length][];
        for (int i = 0; i < a.length; i++) {
            a[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return call(a);
    }

    private Object read() throws IOException {
        int type = in.read();
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                return "-" + line;
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(n + 2);
                return new String(data, 0, n, StandardCharsets.ISO_8859_1);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> l = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    l.add(read());
                }
                return l;
            }
            default:
                throw new IOException("bad reply type " + type);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("eof");
            }
            b.write(c);
        }
        in.read();
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        try {
            socket.close();
        } finally {
            process.close();
        }
    }
}
