package io.respgate.policy.command;

import io.respgate.codec.CommandFrame;

import static io.respgate.policy.command.CommandSpec.DONE;
import static io.respgate.policy.command.CommandSpec.MALFORMED;
import static io.respgate.policy.command.CommandSpec.STOPPED;

/**
 * Ports of Redis 7.0's command-specific key-extraction procedures ({@code getkeys_proc} in
 * {@code db.c}), which Redis's ACL uses when a command's key specs are incomplete, invalid for the
 * frame, or have variable flags. Each visits exactly the keys and flags Redis's procedure returns,
 * with one difference: where Redis's procedure returns no key because the command has a syntax error
 * (a key count that is missing, zero, negative or too large, an unbalanced {@code STREAMS} list),
 * these report {@link CommandSpec#MALFORMED} so the caller denies; Redis rejects the command
 * anyway.
 *
 * <p>{@link #visitExtra} adds the destination keys that {@code SORT} and {@code GEORADIUS} really
 * write when they differ from the ones Redis's ACL checks. Redis 7.0.15 lets a user with access to
 * {@code a*} and {@code by} run {@code SORT a STORE by STORE b}, which writes {@code b}
 * ({@code sortGetKeys} skips the argument after {@code by}), and {@code GEORADIUS k 0 0 1 km STORE a
 * STORE b}, which writes {@code b} (the key spec finds the first {@code STORE}, the command uses the
 * last). The proxy checks those keys too.
 *
 * <p>A visitor of null means a dry run: compute the outcome, visit nothing.
 */
enum KeyProc {
    /** {@code ZUNIONSTORE dst numkeys key...}: {@code zunionInterDiffStoreGetKeys}. */
    STORE_THEN_NUMKEYS(1, 2, 3),
    /** {@code ZUNION numkeys key...}, {@code SINTERCARD}, {@code LMPOP}, {@code ZMPOP}. */
    NUMKEYS_AT_1(0, 1, 2),
    /** {@code EVAL script numkeys key...}, {@code FCALL}, {@code BLMPOP timeout numkeys key...}, {@code BZMPOP}. */
    NUMKEYS_AT_2(0, 2, 3),
    SORT, SORT_RO, MIGRATE, GEORADIUS(6), GEORADIUSBYMEMBER(5), XREAD, SET, BITFIELD;

    private static final byte[] LIMIT = Args.upper("limit");
    private static final byte[] GET = Args.upper("get");
    private static final byte[] BY = Args.upper("by");
    private static final byte[] STORE = Args.upper("store");
    private static final byte[] STOREDIST = Args.upper("storedist");
    private static final byte[] ASC = Args.upper("asc");
    private static final byte[] DESC = Args.upper("desc");
    private static final byte[] ALPHA = Args.upper("alpha");
    private static final byte[] KEYS = Args.upper("keys");
    private static final byte[] COPY = Args.upper("copy");
    private static final byte[] REPLACE = Args.upper("replace");
    private static final byte[] AUTH = Args.upper("auth");
    private static final byte[] AUTH2 = Args.upper("auth2");
    private static final byte[] BLOCK = Args.upper("block");
    private static final byte[] COUNT = Args.upper("count");
    private static final byte[] GROUP = Args.upper("group");
    private static final byte[] NOACK = Args.upper("noack");
    private static final byte[] STREAMS = Args.upper("streams");
    private static final byte[] SET_WORD = Args.upper("set");
    private static final byte[] INCRBY = Args.upper("incrby");
    private static final byte[] OVERFLOW = Args.upper("overflow");
    private static final byte[] WITHDIST = Args.upper("withdist");
    private static final byte[] WITHHASH = Args.upper("withhash");
    private static final byte[] WITHCOORD = Args.upper("withcoord");
    private static final byte[] ANY = Args.upper("any");

    private final int storeOfs;
    private final int countOfs;
    private final int firstOfs;

    KeyProc() {
        this(0, 0, 0);
    }

    KeyProc(int geoBaseArgs) {
        this(0, 0, geoBaseArgs);
    }

    KeyProc(int storeOfs, int countOfs, int firstOfs) {
        this.storeOfs = storeOfs;
        this.countOfs = countOfs;
        this.firstOfs = firstOfs;
    }

    /** The procedure Redis 7.0 registers for the command, or null. */
    static KeyProc forCommand(String name) {
        switch (name) {
            case "zunionstore":
            case "zinterstore":
            case "zdiffstore":
                return STORE_THEN_NUMKEYS;
            case "zunion":
            case "zinter":
            case "zdiff":
            case "zintercard":
            case "sintercard":
            case "lmpop":
            case "zmpop":
                return NUMKEYS_AT_1;
            case "eval":
            case "evalsha":
            case "eval_ro":
            case "evalsha_ro":
            case "fcall":
            case "fcall_ro":
            case "blmpop":
            case "bzmpop":
                return NUMKEYS_AT_2;
            case "sort":
                return SORT;
            case "sort_ro":
                return SORT_RO;
            case "migrate":
                return MIGRATE;
            case "georadius":
                return GEORADIUS;
            case "georadiusbymember":
                return GEORADIUSBYMEMBER;
            case "xread":
            case "xreadgroup":
                return XREAD;
            case "set":
                return SET;
            case "bitfield":
                return BITFIELD;
            default:
                return null;
        }
    }

    int visit(CommandSpec spec, CommandFrame f, KeyVisitor v) {
        switch (this) {
            case STORE_THEN_NUMKEYS:
            case NUMKEYS_AT_1:
            case NUMKEYS_AT_2:
                return generic(spec, f, v);
            case SORT:
                return sort(f, v);
            case SORT_RO:
                return key(f, v, 1, KeyFlags.RO | KeyFlags.ACCESS) ? DONE : STOPPED;
            case MIGRATE:
                return migrate(f, v);
            case GEORADIUS:
            case GEORADIUSBYMEMBER:
                return georadius(f, v);
            case XREAD:
                return xread(f, v);
            case SET:
                return set(f, v);
            case BITFIELD:
                return bitfield(f, v);
            default:
                return MALFORMED;
        }
    }

    /** Keys the command writes beyond those Redis's ACL checks; see the class comment. */
    int visitExtra(CommandSpec spec, CommandFrame f, KeyVisitor v, boolean specPath) {
        if (this == SORT) {
            int store = walkSort(f, false, null);
            if (store > 0 && (specPath || store != sortGetKeysStore(f))) {
                return key(f, v, store, KeyFlags.OW | KeyFlags.UPDATE) ? DONE : STOPPED;
            }
        } else if (this == GEORADIUS || this == GEORADIUSBYMEMBER) {
            int store = geoEffectiveStore(f);
            if (store > 0 && !geoCheckedByRedis(spec, f, store, specPath)) {
                return key(f, v, store, KeyFlags.OW | KeyFlags.UPDATE) ? DONE : STOPPED;
            }
        }
        return DONE;
    }

    private static boolean key(CommandFrame f, KeyVisitor v, int index, int flags) {
        return v == null || v.key(f, index, flags);
    }

    /** {@code genericGetKeys}, with a strict key count. */
    private int generic(CommandSpec spec, CommandFrame f, KeyVisitor v) {
        int argc = f.argCount();
        if (countOfs >= argc) {
            return MALFORMED;
        }
        long num = Args.string2ll(f, countOfs);
        if (num == Args.INVALID || num < 0) {
            return MALFORMED;
        }
        if (num == 0) {
            return spec.noMandatoryKeys() ? DONE : MALFORMED;
        }
        if (num > argc - firstOfs) {
            return MALFORMED;
        }
        for (int i = 0; i < num; i++) {
            if (!key(f, v, firstOfs + i, 0)) {
                return STOPPED;
            }
        }
        if (storeOfs != 0 && !key(f, v, storeOfs, 0)) {
            return STOPPED;
        }
        return DONE;
    }

    /** {@code sortGetKeys}. */
    private static int sort(CommandFrame f, KeyVisitor v) {
        if (!key(f, v, 1, KeyFlags.RO | KeyFlags.ACCESS)) {
            return STOPPED;
        }
        int store = sortGetKeysStore(f);
        if (store > 0 && !key(f, v, store, KeyFlags.OW | KeyFlags.UPDATE)) {
            return STOPPED;
        }
        return DONE;
    }

    /** The STORE key position {@code sortGetKeys} reports, or -1; its loop reproduced as it is. */
    private static int sortGetKeysStore(CommandFrame f) {
        int argc = f.argCount();
        int store = -1;
        for (int i = 2; i < argc; i++) {
            // Redis loops over the skip list {limit 2, get 1, by 1} and tests "store" inside that loop.
            if (Args.is(f, i, LIMIT)) {
                i += 2;
            } else if (Args.is(f, i, STORE) && i + 1 < argc) {
                store = i + 1;
            } else if (Args.is(f, i, GET)) {
                i += 1;
            } else if (Args.is(f, i, BY)) {
                i += 1;
            }
        }
        return store;
    }

    /**
     * {@code sortCommandGeneric}'s option loop: visits the pattern arguments that read keys (BY with a
     * {@code *}, every GET) and returns the position of the STORE key it would write, or -1.
     */
    static int walkSort(CommandFrame f, boolean readonly, KeyVisitor patterns) {
        int argc = f.argCount();
        int store = -1;
        for (int j = 2; j < argc; j++) {
            int left = argc - j - 1;
            if (Args.is(f, j, ASC) || Args.is(f, j, DESC) || Args.is(f, j, ALPHA)) {
                continue;
            } else if (Args.is(f, j, LIMIT) && left >= 2) {
                j += 2; // Redis parses both as integers here; a bad one is an error and nothing runs
            } else if (!readonly && Args.is(f, j, STORE) && left >= 1) {
                store = j + 1;
                j++;
            } else if (Args.is(f, j, BY) && left >= 1) {
                if (patterns != null && Args.containsBeforeNul(f, j + 1, (byte) '*')
                        && !patterns.key(f, j + 1, KeyFlags.RO | KeyFlags.ACCESS)) {
                    return store;
                }
                j++;
            } else if (Args.is(f, j, GET) && left >= 1) {
                if (patterns != null && !patterns.key(f, j + 1, KeyFlags.RO | KeyFlags.ACCESS)) {
                    return store;
                }
                j++;
            } else {
                break; // syntax error: Redis replies with an error and runs nothing
            }
        }
        return store;
    }

    /** {@code migrateGetKeys}. */
    private static int migrate(CommandFrame f, KeyVisitor v) {
        int argc = f.argCount();
        int first = 3;
        int num = 1;
        if (argc > 6) {
            for (int i = 6; i < argc; i++) {
                if (Args.is(f, i, KEYS)) {
                    if (f.argLength(3) > 0) {
                        num = 0;
                    } else {
                        first = i + 1;
                        num = argc - first;
                    }
                    break;
                }
                if (Args.is(f, i, COPY) || Args.is(f, i, REPLACE)) {
                    continue;
                } else if (Args.is(f, i, AUTH)) {
                    i += 1;
                } else if (Args.is(f, i, AUTH2)) {
                    i += 2;
                }
            }
        }
        if (num == 0) {
            return MALFORMED;
        }
        for (int i = 0; i < num; i++) {
            if (!key(f, v, first + i, KeyFlags.RW | KeyFlags.ACCESS | KeyFlags.DELETE)) {
                return STOPPED;
            }
        }
        return DONE;
    }

    /** {@code georadiusGetKeys}. */
    private static int georadius(CommandFrame f, KeyVisitor v) {
        int stored = georadiusGetKeysStore(f);
        if (!key(f, v, 1, 0)) {
            return STOPPED;
        }
        if (stored > 0 && !key(f, v, stored, 0)) {
            return STOPPED;
        }
        return DONE;
    }

    private static int georadiusGetKeysStore(CommandFrame f) {
        int argc = f.argCount();
        int stored = -1;
        for (int i = 5; i < argc; i++) {
            if ((Args.is(f, i, STORE) || Args.is(f, i, STOREDIST)) && i + 1 < argc) {
                stored = i + 1;
                i++;
            }
        }
        return stored;
    }

    /** The key {@code georadiusGeneric} stores into (the last STORE/STOREDIST), or -1. */
    private int geoEffectiveStore(CommandFrame f) {
        int argc = f.argCount();
        int store = -1;
        for (int i = firstOfs; i < argc; i++) {
            boolean more = i + 1 < argc;
            if (Args.is(f, i, WITHDIST) || Args.is(f, i, WITHHASH) || Args.is(f, i, WITHCOORD)
                    || Args.is(f, i, ANY) || Args.is(f, i, ASC) || Args.is(f, i, DESC)) {
                continue;
            } else if (Args.is(f, i, COUNT) && more) {
                i++;
            } else if ((Args.is(f, i, STORE) || Args.is(f, i, STOREDIST)) && more) {
                store = i + 1;
                i++;
            } else {
                break; // syntax error: Redis replies with an error and runs nothing
            }
        }
        return store;
    }

    private static boolean geoCheckedByRedis(CommandSpec spec, CommandFrame f, int store, boolean specPath) {
        if (!specPath) {
            return store == georadiusGetKeysStore(f);
        }
        for (int j = 0; j < spec.keySpecCount(); j++) {
            if (spec.keySpecs().get(j).beginSearch() == KeySpec.BeginSearch.KEYWORD
                    && spec.keywordSearch(f, j) == store) {
                return true;
            }
        }
        return false;
    }

    /** {@code xreadGetKeys}. */
    private static int xread(CommandFrame f, KeyVisitor v) {
        int argc = f.argCount();
        int streamsPos = -1;
        for (int i = 1; i < argc; i++) {
            if (Args.is(f, i, BLOCK) || Args.is(f, i, COUNT)) {
                i++;
            } else if (Args.is(f, i, GROUP)) {
                i += 2;
            } else if (Args.is(f, i, NOACK)) {
                continue;
            } else if (Args.is(f, i, STREAMS)) {
                streamsPos = i;
                break;
            } else {
                break;
            }
        }
        int num = streamsPos == -1 ? 0 : argc - streamsPos - 1;
        if (streamsPos == -1 || num == 0 || num % 2 != 0) {
            return MALFORMED;
        }
        num /= 2;
        for (int i = streamsPos + 1; i < argc - num; i++) {
            if (!key(f, v, i, 0)) {
                return STOPPED;
            }
        }
        return DONE;
    }

    /** {@code setGetKeys}: read-write when a GET option is present. */
    private static int set(CommandFrame f, KeyVisitor v) {
        int flags = KeyFlags.OW | KeyFlags.UPDATE;
        for (int i = 3; i < f.argCount(); i++) {
            if (Args.is(f, i, GET)) {
                flags = KeyFlags.RW | KeyFlags.ACCESS | KeyFlags.UPDATE;
                break;
            }
        }
        return key(f, v, 1, flags) ? DONE : STOPPED;
    }

    /** {@code bitfieldGetKeys}: read-only when only GET (and OVERFLOW) operations are present. */
    private static int bitfield(CommandFrame f, KeyVisitor v) {
        int argc = f.argCount();
        boolean readonly = true;
        for (int i = 2; i < argc; i++) {
            int remaining = argc - i - 1;
            if (Args.is(f, i, GET) && remaining >= 2) {
                i += 2;
            } else if ((Args.is(f, i, SET_WORD) || Args.is(f, i, INCRBY)) && remaining >= 3) {
                readonly = false;
                break;
            } else if (Args.is(f, i, OVERFLOW) && remaining >= 1) {
                i += 1;
            } else {
                readonly = false;
                break;
            }
        }
        int flags = readonly ? KeyFlags.RO | KeyFlags.ACCESS : KeyFlags.RW | KeyFlags.ACCESS | KeyFlags.UPDATE;
        return key(f, v, 1, flags) ? DONE : STOPPED;
    }
}
