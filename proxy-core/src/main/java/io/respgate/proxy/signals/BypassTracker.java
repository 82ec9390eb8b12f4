package io.respgate.proxy.signals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides which unexpected connections are bypasses and which of those are new. A connection is a
 * bypass when it is older than {@link #YOUNG_SECONDS} or was already seen in the previous check: a
 * proxy connection that opened just before {@code CLIENT LIST} may not be registered yet, and is by
 * the next check. Each bypass is new once, by its Redis client id (ids are never reused).
 * Confined to the watch thread.
 */
final class BypassTracker {
    static final long YOUNG_SECONDS = 2;

    private Set<Long> seenLastCheck = Set.of();
    private Set<Long> reported = Set.of();

    /**
     * @param bypasses every connection that bypasses the proxy now
     * @param fresh    those not reported before
     */
    record Result(List<ClientInfo> bypasses, List<ClientInfo> fresh) {
    }

    /** One check's connections that are neither the proxy's, the detector's own, nor known clients. */
    Result update(List<ClientInfo> unexpected) {
        Set<Long> seen = new HashSet<>();
        Set<Long> confirmed = new HashSet<>();
        List<ClientInfo> bypasses = new ArrayList<>();
        List<ClientInfo> fresh = new ArrayList<>();
        for (ClientInfo client : unexpected) {
            seen.add(client.id());
            if (client.age() > YOUNG_SECONDS || seenLastCheck.contains(client.id())) {
                bypasses.add(client);
                confirmed.add(client.id());
                if (!reported.contains(client.id())) {
                    fresh.add(client);
                }
            }
        }
        seenLastCheck = seen;
        reported = confirmed; // connections that are gone are forgotten: their ids never come back
        return new Result(bypasses, fresh);
    }
}
