package io.respgate.proxy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Connections open per policy user, for the per-user connection limit. Touched only at sign-in and close. */
final class UserConnections {
    private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

    /** Takes a connection slot for {@code user}; false when its limit (0 = none) is reached. */
    boolean tryAcquire(String user, int limit) {
        AtomicInteger count = open.computeIfAbsent(user, u -> new AtomicInteger());
        for (;;) {
            int now = count.get();
            if (limit > 0 && now >= limit) {
                return false;
            }
            if (count.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void release(String user) {
        AtomicInteger count = open.get(user);
        if (count != null) {
            count.decrementAndGet();
        }
    }
}
