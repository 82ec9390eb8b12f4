package io.respgate.proxy.cli;

import io.respgate.proxy.RespGateServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Blocks until a running proxy has stopped, and makes SIGTERM / Ctrl-C stop it gracefully.
 *
 * <p>Two mechanisms: a JVM shutdown hook (always installed: covers SIGTERM, SIGINT, SIGHUP and
 * {@code System.exit}) that shuts the server down and waits for it, and, where the JDK offers
 * {@code sun.misc.Signal}, handlers for TERM and INT that start the same graceful shutdown without
 * making the JVM exit first. With the handlers the process exits 0 after a clean shutdown (a plain
 * shutdown hook would leave the JVM's 143/130 status). A second TERM/INT while draining stops
 * waiting: it runs the cleanup and halts with status 1.
 */
final class ServerLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ServerLifecycle.class);

    private ServerLifecycle() {
    }

    /**
     * Waits until {@code server} has terminated (after a signal or a shutdown from elsewhere), then
     * runs {@code cleanup}. {@code cleanup} must be idempotent and thread-safe: the shutdown hook may
     * run it too.
     */
    static void runUntilStopped(RespGateServer server, Runnable cleanup) throws InterruptedException {
        AtomicBoolean stopping = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopping.compareAndSet(false, true)) {
                server.shutdownGracefully();
            }
        };
        Thread hook = new Thread(() -> {
            stop.run();
            try {
                server.awaitTermination();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                cleanup.run();
            }
        }, "respgate-shutdown-hook");
        Runtime.getRuntime().addShutdownHook(hook);

        Runnable restoreSignals = Signals.install(signal -> {
            if (!stopping.get()) {
                log.info("received SIG{}: shutting down gracefully (send it again to stop at once)", signal);
                stop.run();
            } else {
                log.warn("received SIG{} again: stopping without waiting for the drain", signal);
                cleanup.run();
                Runtime.getRuntime().halt(RespGateCli.EXIT_FAILURE);
            }
        });
        Runnable restoreHangup = Signals.installHangup(() -> {
            log.info("received SIGHUP: reloading the policy and the TLS files");
            server.reloadPolicy();
            server.reloadTls();
        });
        try {
            server.awaitTermination();
        } finally {
            restoreHangup.run();
            restoreSignals.run();
            cleanup.run();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook finishes the job.
        }
    }
}
