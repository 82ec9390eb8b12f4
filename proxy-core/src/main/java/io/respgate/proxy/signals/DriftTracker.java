package io.respgate.proxy.signals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Remembers the security-relevant settings of Redis as last read and reports what changed. The first
 * value read of each setting is its baseline; after a change the new value is the one compared
 * against. A setting that cannot be read in a check (no permission, an error) keeps its last value.
 * Confined to the watch thread.
 */
final class DriftTracker {
    /** What {@code CONFIG GET} reads, in this order; also the bounded values of the {@code setting} tag. */
    static final List<String> SETTINGS = List.of("dir", "dbfilename", "protected-mode", "bind", "requirepass", "save",
            "appendonly", "enable-debug-command", "enable-module-command", "enable-protected-configs");
    /** The {@code setting} tag for users from {@code ACL LIST}. */
    static final String ACL = "acl";
    /** The value of a setting this Redis version does not have. */
    static final String ABSENT = "(not in this Redis version)";
    static final String SET = "set";
    static final String NOT_SET = "not set";

    private final Map<String, String> settings = new LinkedHashMap<>();
    private Map<String, AclUser> users;

    /** One change: the event for the sink and the line for the log. */
    record Change(SignalSink.Drift drift, String message) {
    }

    /**
     * @param read settings read in this check; one missing from the map could not be read
     * @param acl  users read in this check by name, or null when {@code ACL LIST} could not be read
     * @return what changed since the last check; nothing for settings read for the first time
     */
    List<Change> update(Map<String, String> read, Map<String, AclUser> acl) {
        List<Change> changes = new ArrayList<>();
        for (String name : SETTINGS) {
            String now = read.get(name);
            if (now == null) {
                continue;
            }
            String before = settings.put(name, now);
            if (before != null && !before.equals(now)) {
                changes.add(new Change(SignalSink.Drift.of(name, before, now), "Redis setting " + name
                        + " changed from " + Printable.quoted(before) + " to " + Printable.quoted(now)
                        + " (not through RespGate)"));
            }
        }
        if (acl != null) {
            if (users != null) {
                Change change = aclChange(users, acl);
                if (change != null) {
                    changes.add(change);
                }
            }
            users = Map.copyOf(acl);
        }
        return changes;
    }

    boolean hasBaseline() {
        return !settings.isEmpty() || users != null;
    }

    /** The settings and user names now: no secret (requirepass only as set or not set, no rules). */
    String summary() {
        StringBuilder out = new StringBuilder();
        settings.forEach((name, value) -> out.append(name).append('=').append(Printable.quoted(value)).append(' '));
        if (users != null) {
            out.append("acl users=").append(new TreeSet<>(users.keySet()));
        } else {
            out.append("acl users unknown");
        }
        return out.toString().strip();
    }

    private static Change aclChange(Map<String, AclUser> before, Map<String, AclUser> now) {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> details = new ArrayList<>();
        for (String name : new TreeSet<>(now.keySet())) {
            AclUser user = now.get(name);
            AclUser old = before.get(name);
            if (old == null) {
                added.add(name);
                details.add("added " + name + " (" + Printable.clean(user.rules(), 300) + ")");
            } else if (!old.equals(user)) {
                changed.add(name);
                List<String> what = new ArrayList<>();
                if (!old.rules().equals(user.rules())) {
                    what.add("rules were " + Printable.quoted(old.rules()) + ", now " + Printable.quoted(user.rules()));
                }
                if (!old.sameSecrets(user)) {
                    what.add("passwords changed");
                }
                details.add("changed " + name + " (" + String.join("; ", what) + ")");
            }
        }
        for (String name : new TreeSet<>(before.keySet())) {
            if (!now.containsKey(name)) {
                removed.add(name);
                details.add("removed " + name);
            }
        }
        if (details.isEmpty()) {
            return null;
        }
        SignalSink.Drift drift = new SignalSink.Drift(ACL, before.size() + " users", now.size() + " users",
                added, removed, changed);
        return new Change(drift, "Redis ACL users changed (not through RespGate): " + String.join("; ", details));
    }
}
