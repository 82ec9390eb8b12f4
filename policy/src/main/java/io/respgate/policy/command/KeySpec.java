package io.respgate.policy.command;

import java.util.Objects;

/**
 * One Redis 7 key spec: where the search for keys begins ({@code begin_search}), how the keys are
 * found from there ({@code find_keys}), and the {@link KeyFlags} of the keys it finds.
 *
 * <ul>
 *   <li>{@link BeginSearch#INDEX}: the search begins at argument {@link #index()}.</li>
 *   <li>{@link BeginSearch#KEYWORD}: the search begins after the argument equal (ignoring case) to
 *       {@link #keyword()}, searched from argument {@link #startFrom()} towards the end when
 *       positive, or from {@code argc + startFrom} towards the start when negative.</li>
 *   <li>{@link FindKeys#RANGE}: keys from the begin position up to {@link #lastKey()} (relative
 *       to the begin position when &ge; 0; from the end when negative, or, with a non-zero
 *       {@link #limit()}, the first {@code 1/limit} of the remaining arguments) every
 *       {@link #keyStep()} arguments.</li>
 *   <li>{@link FindKeys#KEYNUM}: the argument at begin + {@link #keyNumIndex()} holds the number of
 *       keys, which begin at begin + {@link #firstKey()}, every {@link #keyStep()} arguments.</li>
 *   <li>{@code UNKNOWN}: Redis cannot describe the keys declaratively; it uses its key-extraction
 *       procedure for the command instead.</li>
 * </ul>
 * Fields that do not apply to the spec's types are 0 ({@link #keyword()} null).
 */
public record KeySpec(int flags,
                      BeginSearch beginSearch, int index, String keyword, int startFrom,
                      FindKeys findKeys, int lastKey, int keyStep, int limit, int keyNumIndex, int firstKey) {

    /** Type of {@code begin_search}. */
    public enum BeginSearch { INDEX, KEYWORD, UNKNOWN }

    /** Type of {@code find_keys}. */
    public enum FindKeys { RANGE, KEYNUM, UNKNOWN }

    public KeySpec {
        Objects.requireNonNull(beginSearch, "beginSearch");
        Objects.requireNonNull(findKeys, "findKeys");
        if ((beginSearch == BeginSearch.KEYWORD) != (keyword != null)) {
            throw new IllegalArgumentException("a keyword is required exactly for a keyword begin_search");
        }
    }

    public static KeySpec indexRange(int flags, int index, int lastKey, int keyStep, int limit) {
        return new KeySpec(flags, BeginSearch.INDEX, index, null, 0, FindKeys.RANGE, lastKey, keyStep, limit, 0, 0);
    }

    public static KeySpec keywordRange(int flags, String keyword, int startFrom, int lastKey, int keyStep, int limit) {
        return new KeySpec(flags, BeginSearch.KEYWORD, 0, keyword, startFrom, FindKeys.RANGE, lastKey, keyStep, limit, 0, 0);
    }

    public static KeySpec indexKeynum(int flags, int index, int keyNumIndex, int firstKey, int keyStep) {
        return new KeySpec(flags, BeginSearch.INDEX, index, null, 0, FindKeys.KEYNUM, 0, keyStep, 0, keyNumIndex, firstKey);
    }

    /** Whether Redis can find this spec's keys without a command-specific procedure. */
    public boolean isComplete() {
        return beginSearch != BeginSearch.UNKNOWN && findKeys != FindKeys.UNKNOWN
                && (flags & KeyFlags.INCOMPLETE) == 0;
    }
}
