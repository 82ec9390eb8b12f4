package io.respgate.codec;

/**
 * Bounds on what one client request may claim, checked before anything is allocated, so a hostile
 * client cannot make the proxy reserve memory from a count it merely announced.
 *
 * @param maxArguments    most arguments one multibulk request may announce
 * @param maxBulkLength   most bytes one bulk argument may announce ({@code proto-max-bulk-len})
 * @param maxInlineLength most bytes an inline request line may take before its {@code \n}
 */
public record RequestLimits(int maxArguments, long maxBulkLength, int maxInlineLength) {

    public RequestLimits {
        if (maxArguments <= 0) {
            throw new IllegalArgumentException("maxArguments must be positive: " + maxArguments);
        }
        if (maxBulkLength <= 0) {
            throw new IllegalArgumentException("maxBulkLength must be positive: " + maxBulkLength);
        }
        if (maxInlineLength <= 0) {
            throw new IllegalArgumentException("maxInlineLength must be positive: " + maxInlineLength);
        }
    }

    /**
     * One million arguments (the limit of Redis up to 6.2; Redis 7 accepts up to {@code INT_MAX}, which
     * no real client needs), {@code proto-max-bulk-len} 512 MiB and Redis's 64 KiB
     * {@code PROTO_INLINE_MAX_SIZE}.
     */
    public static RequestLimits defaults() {
        return new RequestLimits(1024 * 1024, 512L * 1024 * 1024, 64 * 1024);
    }
}
