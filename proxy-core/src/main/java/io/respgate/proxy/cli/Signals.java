package io.respgate.proxy.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** TERM/INT handlers through {@code sun.misc.Signal} (module jdk.unsupported), when available. */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);
    private static final String[] NAMES = {"TERM", "INT"};

    private Signals() {
    }

    /**
     * Routes TERM and INT to {@code handler} (called with the signal name) instead of exiting the
     * JVM. Returns an action that restores the previous handlers. A signal that cannot be handled here
     * is left to the JVM shutdown hook.
     */
    static Runnable install(Consumer<String> handler) {
        List<Runnable> restore = new ArrayList<>();
        for (String name : NAMES) {
            try {
                Signal signal = new Signal(name);
                SignalHandler previous = Signal.handle(signal, s -> handler.accept(s.getName()));
                restore.add(() -> Signal.handle(signal, previous));
            } catch (Throwable e) {
                // LinkageError without jdk.unsupported; IllegalArgumentException when the signal is
                // ignored (e.g. INT for a background job) or unknown on this platform.
                log.debug("no handler for SIG{} ({}); relying on the shutdown hook", name, e.toString());
            }
        }
        return () -> restore.forEach(Runnable::run);
    }

    /** Routes HUP to {@code reload}; returns an action that restores the previous handler. */
    static Runnable installHangup(Runnable reload) {
        try {
            Signal hup = new Signal("HUP");
            SignalHandler previous = Signal.handle(hup, s -> reload.run());
            return () -> Signal.handle(hup, previous);
        } catch (Throwable e) {
            log.debug("no handler for SIGHUP ({}); reload the policy by editing its file", e.toString());
            return () -> { };
        }
    }
}
