package io.respgate.policy.acl;

/**
 * The answer of {@link CompiledAcl#check}: {@link #ALLOWED} (a shared constant, so allowing
 * allocates nothing), or a denial with its kind and, for key and channel denials, the index of the
 * offending argument.
 */
public final class AclVerdict {
    /** Why a command was denied; ordered as Redis ranks the reasons when no selector allows. */
    public enum Kind {
        ALLOWED,
        /** The command (or subcommand) is not allowed. */
        COMMAND,
        /** A key argument is not covered by a pattern with the needed permission. */
        KEY,
        /** A channel argument is not allowed. */
        CHANNEL,
        /** The keys of the command could not be determined (a malformed command): denied, fail closed. */
        MALFORMED
    }

    public static final AclVerdict ALLOWED = new AclVerdict(Kind.ALLOWED, -1);

    private final Kind kind;
    private final int argIndex;

    private AclVerdict(Kind kind, int argIndex) {
        this.kind = kind;
        this.argIndex = argIndex;
    }

    static AclVerdict deny(Kind kind, int argIndex) {
        if (kind == Kind.ALLOWED) {
            throw new IllegalArgumentException("a denial needs a reason");
        }
        return new AclVerdict(kind, argIndex);
    }

    public boolean allowed() {
        return kind == Kind.ALLOWED;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * For {@link Kind#KEY} and {@link Kind#CHANNEL}: the index in the frame of the argument Redis
     * would name (the last one no selector allowed, as {@code ACLCheckAllUserCommandPerm} picks it);
     * -1 otherwise.
     */
    public int argIndex() {
        return argIndex;
    }

    @Override
    public String toString() {
        return argIndex < 0 ? kind.name() : kind + "@" + argIndex;
    }
}
