package io.respgate.policy.command;

import java.util.Locale;

/**
 * Redis 7.0's ACL command categories, as written after {@code @} in ACL rules ({@code +@sortedset}).
 * The ordinal is stable and {@link #bit()} is used in {@link CommandSpec#categories()} bitmasks.
 */
public enum AclCategory {
    KEYSPACE, READ, WRITE, SET, SORTEDSET, LIST, HASH, STRING, BITMAP, HYPERLOGLOG, GEO, STREAM, PUBSUB,
    ADMIN, FAST, SLOW, BLOCKING, DANGEROUS, CONNECTION, TRANSACTION, SCRIPTING;

    private static final AclCategory[] VALUES = values();

    private final String aclName = name().toLowerCase(Locale.ROOT);

    /** {@code 1L << ordinal()}. */
    public long bit() {
        return 1L << ordinal();
    }

    /** The name as written after {@code @} in ACL rules, for example {@code sortedset}. */
    public String aclName() {
        return aclName;
    }

    /** The category named {@code name} (without the {@code @}), ignoring ASCII case; null if unknown. */
    public static AclCategory byAclName(String name) {
        if (name == null) {
            return null;
        }
        for (AclCategory c : VALUES) {
            if (c.aclName.equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }
}
