package io.respgate.proxy.signals;

import java.util.List;
import java.util.Objects;

/**
 * Where the upstream watch reports what it finds, besides its metrics and log lines (the audit log,
 * for instance). Called on the watch's own thread, never on an event loop; an implementation must
 * be thread-safe and should not block for long. An exception it throws is logged and otherwise
 * ignored.
 */
public interface SignalSink {
    /** Reports nothing. */
    SignalSink NONE = new SignalSink() {
        @Override
        public void bypass(Bypass bypass) {
        }

        @Override
        public void drift(Drift drift) {
        }
    };

    /** A connection to Redis that does not come through this proxy, reported once. */
    void bypass(Bypass bypass);

    /** A security-relevant Redis setting changed since the previous check. */
    void drift(Drift drift);

    /**
     * A connection that bypasses RespGate, from {@code CLIENT LIST} (which shows no arguments).
     *
     * @param clientId   Redis's client id
     * @param address    the peer address as Redis prints it ({@code ip:port})
     * @param user       the Redis ACL user it is signed in as
     * @param name       the name it gave itself, or empty
     * @param command    the last command it ran ({@code cmd=}), without arguments
     * @param ageSeconds how long it has been connected
     */
    record Bypass(long clientId, String address, String user, String name, String command, long ageSeconds) {
        public Bypass {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(command, "command");
        }
    }

    /**
     * A change of one setting. For {@code requirepass} the values are only {@code set} or
     * {@code not set}; for {@code acl} they are user counts and the lists say who changed (rules
     * and passwords are not in the event: see the log line for the rules, passwords are never shown).
     *
     * @param setting      one of {@link DriftTracker#SETTINGS} or {@code acl}
     * @param from         the value before
     * @param to           the value now
     * @param usersAdded   {@code acl} only: users that appeared
     * @param usersRemoved {@code acl} only: users that disappeared
     * @param usersChanged {@code acl} only: users whose rules or passwords changed
     */
    record Drift(String setting, String from, String to, List<String> usersAdded, List<String> usersRemoved,
                 List<String> usersChanged) {
        public Drift {
            Objects.requireNonNull(setting, "setting");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            usersAdded = List.copyOf(usersAdded);
            usersRemoved = List.copyOf(usersRemoved);
            usersChanged = List.copyOf(usersChanged);
        }

        static Drift of(String setting, String from, String to) {
            return new Drift(setting, from, to, List.of(), List.of(), List.of());
        }
    }
}
