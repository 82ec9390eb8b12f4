package io.respgate.proxy.posture;

import java.util.List;

/**
 * ACL users allowed every command ({@code +@all} or {@code allcommands} with nothing taken away
 * after it): one leaked credential of theirs can run FLUSHALL, CONFIG SET or MODULE LOAD. A user
 * written like RespGate's own recommendation, {@code +@all -@dangerous}, is not one of them.
 */
final class AllCommandsUsersCheck implements PostureCheck {
    static final String ID = "redis-acl-all-commands";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> run(Deployment d) {
        Answer<List<AclUser>> users = d.redis().aclUsers();
        if (!users.known()) {
            return List.of(users.unavailable(ID, "ACL LIST"));
        }
        List<String> names = users.value().stream().filter(u -> u.on() && u.allCommands())
                .map(u -> "'" + u.name() + "'").toList();
        if (names.isEmpty()) {
            return List.of(Finding.pass(ID, "no enabled ACL user may run every command"));
        }
        return List.of(Finding.warn(ID, "ACL users that may run every command (+@all): " + String.join(", ", names),
                "give each application its own user with only what it needs (e.g. +@read +@write -@dangerous"
                        + " ~app:*), keep +@all for an admin user used by hand, or turn the user off"));
    }
}
