package io.respgate.proxy;

import io.respgate.policy.PolicySnapshot;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The policy in force. Reload builds a whole new snapshot and swaps it in; sessions compare the
 * reference they judged with against this one, so a swap costs them one volatile read.
 */
final class PolicyState {
    private final AtomicReference<PolicySnapshot> current;

    PolicyState(PolicySnapshot initial) {
        current = new AtomicReference<>(initial);
    }

    PolicySnapshot current() {
        return current.get();
    }

    PolicySnapshot swap(PolicySnapshot next) {
        return current.getAndSet(next);
    }
}
