package io.respgate.proxy.faults;

import io.respgate.proxy.testing.RawConnection;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static io.respgate.proxy.testing.RawConnection.multibulk;

/**
 * Load whose every reply can be checked: clients send pipelines of {@code ECHO <token>} with a
 * token unique to the client and the command, so a reply that reached the wrong command shows up
 * as a mismatch. An error reply in a command's place and a closed connection are allowed outcomes
 * of a fault (the client reconnects); a reply that is neither its own token nor an error is not,
 * and neither is a connection that stays silent (a hang).
 */
final class EchoLoad implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 15_000;

    private final int port;
    private final int pipeline;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean stopping;

    final AtomicLong sent = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong closes = new AtomicLong();
    final AtomicLong connectFailures = new AtomicLong();
    final AtomicLong mismatches = new AtomicLong();
    final AtomicLong hangs = new AtomicLong();
    /** Error replies by their first 60 characters. */
    final Map<String, AtomicLong> errorKinds = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> mismatchSamples = new ConcurrentLinkedQueue<>();

    EchoLoad(int port, int clients, int pipeline) {
        this.port = port;
        this.pipeline = pipeline;
        for (int i = 0; i < clients; i++) {
            int id = i;
            Thread t = new Thread(() -> run(id), "echo-load-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
    }

    EchoLoad start() {
        workers.forEach(Thread::start);
        return this;
    }

    private void run(int id) {
        long seq = 0;
        while (!stopping) {
            try (RawConnection c = new RawConnection(port, READ_TIMEOUT_MILLIS)) {
                while (!stopping) {
                    StringBuilder batch = new StringBuilder();
                    String[] tokens = new String[pipeline];
                    for (int i = 0; i < pipeline; i++) {
                        tokens[i] = "c" + id + "-" + seq++;
                        batch.append(multibulk("ECHO", tokens[i]));
                    }
                    c.send(batch.toString());
                    sent.addAndGet(pipeline);
                    for (String token : tokens) {
                        check(token, c.readReply());
                    }
                }
            } catch (ConnectException e) {
                connectFailures.incrementAndGet();
                pause();
            } catch (SocketTimeoutException e) {
                hangs.incrementAndGet();
            } catch (IOException e) {
                closes.incrementAndGet();
                pause();
            }
        }
    }

    private void check(String token, String reply) {
        if (reply.equals("$" + token.length() + "\r\n" + token + "\r\n")) {
            ok.incrementAndGet();
        } else if (reply.startsWith("-")) {
            errors.incrementAndGet();
            String line = reply.strip();
            errorKinds.computeIfAbsent(line.substring(0, Math.min(60, line.length())), k -> new AtomicLong())
                    .incrementAndGet();
        } else {
            mismatches.incrementAndGet();
            if (mismatchSamples.size() < 5) {
                mismatchSamples.add("expected " + token + ", got " + reply.strip());
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the clients and waits for them. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        for (Thread t : workers) {
            t.join(READ_TIMEOUT_MILLIS + 5_000);
        }
    }

    String summary() {
        return "sent " + sent + ", replies checked " + (ok.get() + errors.get() + mismatches.get()) + " (ok " + ok
                + ", errors " + errors + " " + errorKinds + ", mismatches " + mismatches + " " + mismatchSamples
                + "), connections closed " + closes + ", connect failures " + connectFailures + ", hangs " + hangs;
    }
}
