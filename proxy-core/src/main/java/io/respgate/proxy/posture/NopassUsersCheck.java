package io.respgate.proxy.posture;

import java.util.List;

/** ACL users that are on and nopass: any password, or none, signs in as them. */
final class NopassUsersCheck implements PostureCheck {
    static final String ID = "redis-acl-nopass";

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
        List<AclUser> open = users.value().stream().filter(u -> u.on() && u.nopass()).toList();
        if (open.isEmpty()) {
            return List.of(Finding.pass(ID, "no ACL user is on and nopass (" + users.value().size() + " users)"));
        }
        List<String> shown = open.stream().map(u -> "'" + u.name() + "' (" + Text.shorten(u.rules()) + ")").toList();
        return List.of(Finding.fail(ID, "ACL users that need no password: " + String.join(", ", shown),
                "give each a password (ACL SETUSER NAME resetpass >PASSWORD) or turn it off (ACL SETUSER NAME off),"
                        + " and make it last (ACL SAVE, or the users in redis.conf)"));
    }
}
