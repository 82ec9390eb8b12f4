package io.respgate.proxy.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A plain socket to the proxy or to Redis that sends raw bytes and reads whole replies back as
 * their exact bytes (ISO-8859-1 strings, so CR, LF and NUL survive), for tests that must see
 * precisely what a client would receive.
 */
public final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawConnection(int port) throws IOException {
        this(port, 10_000);
    }

    public RawConnection(int port, int readTimeoutMillis) throws IOException {
        this(new Socket(ProxiedRedis.HOST, port), readTimeoutMillis);
    }

    /** Talks over a socket already connected (a TLS socket, for instance). */
    public RawConnection(Socket connected, int readTimeoutMillis) throws IOException {
        socket = connected;
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = socket.getOutputStream();
    }

    public RawConnection send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawConnection send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /** Encodes {@code args} as a multibulk request and sends it. */
    public RawConnection command(String... args) throws IOException {
        return send(multibulk(args));
    }

    public static String multibulk(String... args) {
        StringBuilder sb = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.ISO_8859_1);
            sb.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
        }
        return sb.toString();
    }

    /** Reads one whole reply frame (any RESP2/RESP3 type) and returns its exact bytes. */
    public String readReply() throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        readValue(frame);
        return frame.toString(StandardCharsets.ISO_8859_1);
    }

    /** Sends a command and reads its reply. */
    public String call(String... args) throws IOException {
        command(args);
        return readReply();
    }

    /** Whether the peer closed the connection (EOF) within the socket's read timeout. */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by peer
        }
    }

    /** Whether the peer closed the connection within the read timeout, skipping whatever it sent first. */
    public boolean closedByPeerAfterAnyBytes() throws IOException {
        try {
            while (in.read() >= 0) {
                // a TLS alert, for instance
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by peer
        }
    }

    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public Socket socket() {
        return socket;
    }

    private void readValue(ByteArrayOutputStream frame) throws IOException {
        String line = readLine(frame);
        char marker = line.charAt(0);
        switch (marker) {
            case '+', '-', ':', '_', ',', '#', '(' -> {
            }
            case '$', '!', '=' -> {
                long length = Long.parseLong(line.substring(1));
                if (length >= 0) {
                    byte[] payload = in.readNBytes((int) length + 2);
                    if (payload.length != length + 2) {
                        throw new IOException("connection closed inside a bulk reply");
                    }
                    frame.write(payload);
                }
            }
            case '*', '~', '>' -> {
                long count = Long.parseLong(line.substring(1));
                for (long i = 0; i < count; i++) {
                    readValue(frame);
                }
            }
            case '%', '|' -> {
                long count = Long.parseLong(line.substring(1));
                for (long i = 0; i < count * 2; i++) {
                    readValue(frame);
                }
                if (marker == '|') {
                    readValue(frame); // the value the attribute annotates
                }
            }
            default -> throw new IOException("unexpected reply marker '" + marker + "' in: " + line);
        }
    }

    private String readLine(ByteArrayOutputStream frame) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            frame.write(b);
            if (b == '\r') {
                int lf = in.read();
                if (lf < 0) {
                    break;
                }
                frame.write(lf);
                return line.toString();
            }
            line.append((char) b);
        }
        throw new IOException("connection closed by peer" + (line.length() > 0 ? " after: " + line : ""));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
