package io.respgate.proxy.posture;

import io.respgate.config.UpstreamConfig;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A blocking request/reply connection to Redis: one command out, one reply in. After a failure
 * (a timeout, a reply it cannot read) the connection refuses further commands: a late reply would
 * otherwise be taken for the answer to the next command, and the answer to {@code CONFIG GET
 * requirepass} must never be read as anything else.
 */
public final class RedisConnection implements Closeable {
    private static final byte[] CRLF = {'\r', '\n'};

    private final Socket socket;
    private final OutputStream out;
    private final ReplyReader in;
    private boolean broken;

    private RedisConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream());
        this.in = new ReplyReader(new BufferedInputStream(socket.getInputStream()));
    }

    static RedisConnection open(UpstreamConfig upstream, boolean withClientCertificate, Duration readTimeout)
            throws IOException {
        Socket socket = UpstreamSockets.open(upstream, withClientCertificate, readTimeout);
        try {
            return new RedisConnection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    public Reply call(String... args) throws IOException {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return call(bytes);
    }

    /** Sends one command as a multibulk request; byte arguments let a password skip {@code String}. */
    Reply call(byte[]... args) throws IOException {
        if (broken) {
            throw new IOException("the connection is unusable after an earlier failure");
        }
        try {
            return send(args);
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e;
        }
    }

    private Reply send(byte[]... args) throws IOException {
        out.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] arg : args) {
            out.write(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(arg);
            out.write(CRLF);
        }
        out.flush();
        return in.read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
