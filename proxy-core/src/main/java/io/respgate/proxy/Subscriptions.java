package io.respgate.proxy;

/**
 * How many channels, patterns and shard channels a connection is subscribed to, as Redis last
 * confirmed. Redis's confirmations carry the count after the change (channels plus patterns for
 * the classic kinds, shard channels alone for the shard kinds), so the split is exact without
 * tracking names.
 */
final class Subscriptions {
    private long channels;
    private long patterns;
    private long shardChannels;

    void confirm(CommandKind kind, long count) {
        switch (kind) {
            case SUBSCRIBE, UNSUBSCRIBE -> channels = Math.max(0, count - patterns);
            case PSUBSCRIBE, PUNSUBSCRIBE -> patterns = Math.max(0, count - channels);
            case SSUBSCRIBE, SUNSUBSCRIBE -> shardChannels = Math.max(0, count);
            default -> throw new IllegalArgumentException("not a subscription kind: " + kind);
        }
    }

    /** How many of the kind an unsubscribe-all of {@code kind} still has to remove. */
    long remaining(CommandKind unsubscribeKind) {
        return switch (unsubscribeKind) {
            case UNSUBSCRIBE -> channels;
            case PUNSUBSCRIBE -> patterns;
            case SUNSUBSCRIBE -> shardChannels;
            default -> throw new IllegalArgumentException("not an unsubscribe kind: " + unsubscribeKind);
        };
    }

    boolean any() {
        return channels + patterns + shardChannels > 0;
    }

    void clear() {
        channels = 0;
        patterns = 0;
        shardChannels = 0;
    }
}
