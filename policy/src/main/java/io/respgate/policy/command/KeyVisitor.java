package io.respgate.policy.command;

import io.respgate.codec.CommandFrame;

/** Receives the key arguments of one command, in place. */
@FunctionalInterface
public interface KeyVisitor {
    /**
     * @param frame    the command
     * @param argIndex the index of the key argument in {@code frame}
     * @param keyFlags the {@link KeyFlags} Redis's ACL would check the key with
     * @return false to stop visiting
     */
    boolean key(CommandFrame frame, int argIndex, int keyFlags);
}
