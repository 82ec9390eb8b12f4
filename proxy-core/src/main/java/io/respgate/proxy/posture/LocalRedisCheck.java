package io.respgate.proxy.posture;

import java.util.List;

/**
 * A check of the Redis process or its files on this host: it reports SKIP when Redis runs
 * elsewhere, since nothing local can be inspected then.
 */
abstract class LocalRedisCheck implements PostureCheck {
    @Override
    public final List<Finding> run(Deployment d) {
        if (!Addresses.isLoopback(d.upstream().host())) {
            return List.of(Finding.skip(id(), "not checked: Redis at " + d.redisAddress() + " is not on this host"));
        }
        return checkLocal(d);
    }

    /** At least one finding about the local Redis. */
    abstract List<Finding> checkLocal(Deployment d);
}
