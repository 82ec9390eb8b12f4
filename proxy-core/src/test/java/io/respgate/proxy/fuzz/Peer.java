package io.respgate.proxy.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One raw connection of a fuzz case: a reader on its own thread keeps every byte the server sends and
 * notes when it closes; the case writes its input in chunks and may close its write side.
 */
final class Peer implements AutoCloseable {
    /** What was received so far, whether the server closed, and how long ago anything last happened. */
    record Snapshot(byte[] bytes, boolean closed, long idleMillis) {
    }

    private final Socket socket;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private volatile boolean closed;
    private volatile long lastActivity = System.nanoTime();

    Peer(int port, ExecutorService threads) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setTcpNoDelay(true);
        InputStream in = socket.getInputStream();
        threads.submit(() -> {
            byte[] buf = new byte[64 * 1024];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (received) {
                        received.write(buf, 0, n);
                    }
                    lastActivity = System.nanoTime();
                }
            } catch (IOException e) {
                // reset by the peer, or closed by us: either way the end
            } finally {
                closed = true;
                lastActivity = System.nanoTime();
            }
        });
    }

    /**
     * Writes the chunks ({@code [offset, length, pause]}), pausing a millisecond where asked; then closes
     * the write side if asked. A peer that closed first ends the writing quietly.
     */
    Void write(byte[] input, List<int[]> chunks, boolean halfClose) throws InterruptedException {
        try {
            OutputStream out = socket.getOutputStream();
            for (int[] c : chunks) {
                out.write(input, c[0], c[1]);
                out.flush();
                lastActivity = System.nanoTime();
                if (c[2] != 0) {
                    TimeUnit.MILLISECONDS.sleep(1);
                }
            }
            if (halfClose) {
                socket.shutdownOutput();
            }
        } catch (IOException e) {
            // the server closed the connection (a protocol error) before taking everything
        }
        lastActivity = System.nanoTime();
        return null;
    }

    Snapshot snapshot() {
        long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivity);
        boolean isClosed = closed;
        synchronized (received) {
            return new Snapshot(received.toByteArray(), isClosed, idle);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
