package io.respgate.proxy.audit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.net.InetAddress;

/**
 * Remembers which source addresses each user has signed in from, to report the first sign-in
 * from a new one. Bounded: the oldest pairs are forgotten first (and would be reported again).
 */
public final class SeenSources {
    private static final long MAX_PAIRS = 100_000;

    private final Cache<String, Boolean> seen = Caffeine.newBuilder().maximumSize(MAX_PAIRS).build();

    /** Whether this is the first sign-in of {@code user} from {@code address} that is remembered. */
    public boolean firstTime(String user, InetAddress address) {
        if (address == null) {
            return false;
        }
        return seen.asMap().putIfAbsent(user + '\0' + address.getHostAddress(), Boolean.TRUE) == null;
    }
}
