package io.respgate.policy;

import io.respgate.codec.CommandFrame;

/**
 * Decides whether one command may reach Redis. Implementations are pure functions of an immutable
 * policy snapshot and the frame, and fail closed: an exception thrown here is treated as a denial
 * by the caller.
 */
@FunctionalInterface
public interface Gate {
    /** Lets everything through: the transparent setup that tests and the first milestone use. */
    Gate ALLOW_ALL = frame -> Decision.ALLOW;

    Decision decide(CommandFrame frame);
}
