package io.respgate.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts failed authentications per source address and locks an address out for a while once it
 * fails too often. Counts expire on their own, so an address that stops failing is forgiven, and
 * the cache is bounded so a spray of addresses cannot grow it without limit.
 */
final class AuthLockout {
    private final int maxFailures;
    private final Cache<InetAddress, AtomicInteger> failures;

    AuthLockout(int maxFailures, Duration lockout) {
        this.maxFailures = maxFailures;
        this.failures = Caffeine.newBuilder()
                .expireAfterWrite(lockout)
                .maximumSize(100_000)
                .build();
    }

    boolean isLockedOut(InetAddress address) {
        AtomicInteger count = failures.getIfPresent(address);
        return count != null && count.get() >= maxFailures;
    }

    /** Records a failure; returns true exactly when this failure locks the address out. */
    boolean recordFailure(InetAddress address) {
        AtomicInteger count = failures.get(address, a -> new AtomicInteger());
        int now = count.incrementAndGet();
        failures.put(address, count); // restarts the expiry: the lockout runs from the last failure
        return now == maxFailures;
    }

    void recordSuccess(InetAddress address) {
        failures.invalidate(address);
    }
}
