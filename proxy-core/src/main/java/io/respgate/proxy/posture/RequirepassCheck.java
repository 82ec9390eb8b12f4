package io.respgate.proxy.posture;

import java.util.List;
import java.util.Optional;

/**
 * Does Redis itself enforce a password for its default user? Only whether {@code requirepass} is
 * set is ever read: the value is the password.
 */
final class RequirepassCheck implements PostureCheck {
    static final String ID = "redis-requirepass";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> run(Deployment d) {
        Answer<Boolean> set = d.redis().requirepassSet();
        if (!set.known()) {
            return List.of(set.unavailable(ID, "CONFIG GET requirepass"));
        }
        Optional<AclUser> defaultUser = defaultUser(d.redis().aclUsers());
        if (set.value()) {
            // Redis 7 keeps reporting the old requirepass after ACL SETUSER default nopass.
            if (defaultUser.isPresent() && defaultUser.get().on() && defaultUser.get().nopass()) {
                return List.of(Finding.warn(ID, "requirepass reads as set (value not shown), but the ACL user"
                        + " 'default' is on and nopass, which wins", "see " + NopassUsersCheck.ID));
            }
            return List.of(Finding.pass(ID, "requirepass is set (value not shown)"));
        }
        // With ACLs, the default user may be protected without requirepass.
        if (defaultUser.isPresent() && !defaultUser.get().on()) {
            return List.of(Finding.pass(ID, "requirepass is not set, but the ACL user 'default' is off"));
        }
        if (defaultUser.isPresent() && defaultUser.get().hasPassword() && !defaultUser.get().nopass()) {
            return List.of(Finding.pass(ID, "requirepass is not set, but the ACL user 'default' has a password"));
        }
        return List.of(Finding.warn(ID, "requirepass is not set: a connection is the user 'default' without any"
                        + " password unless an ACL rule says otherwise",
                "turn the default user off (ACL SETUSER default off) and give every client its own ACL user,"
                        + " or set requirepass"));
    }

    private static Optional<AclUser> defaultUser(Answer<List<AclUser>> users) {
        if (!users.known()) {
            return Optional.empty();
        }
        return users.value().stream().filter(u -> u.name().equals("default")).findFirst();
    }
}
