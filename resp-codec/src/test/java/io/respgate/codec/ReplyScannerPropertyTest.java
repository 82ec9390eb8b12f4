package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.respgate.codec.testing.RespMutations;
import io.respgate.codec.testing.RespMutations.Mutation;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of {@link ReplyScanner} over generated replies (jqwik): RESP2 and RESP3 values of every
 * type, nested aggregates, attributes and push frames, as Redis would send them, then mutated byte by
 * byte, and garbage built from RESP tokens.
 *
 * <ul>
 *   <li>Well-formed replies are found whole, each with its exact length and type, whatever the split of
 *       the stream into reads and wherever the caller compacts its buffer.</li>
 *   <li>A reply nested deeper than the limit is refused where it starts, after the replies before it.</li>
 *   <li>Any bytes give the same frames, and the same {@link ReplyProtocolException} after the same frames,
 *       at every split; the scanner never throws anything else, and never loops.</li>
 *   <li>Those outcomes agree with a plain recursive parser of the same grammar and limits
 *       ({@link Reference}), which knows nothing of resuming: the resumable state machine frames exactly
 *       what the grammar frames.</li>
 * </ul>
 */
class ReplyScannerPropertyTest {
    private static final int MAX_DEPTH = 8;
    private static final long MAX_BULK = 4096;

    /** One generated reply: its bytes, its type as the scanner reports it, and the nesting it needs. */
    record Reply(byte[] bytes, byte type, int depth) {
        @Override
        public String toString() {
            return RespMutations.escape(bytes);
        }
    }

    /** What scanning some bytes gave: each frame's length and type, then the error, if any. */
    record Scan(List<Integer> lengths, List<Byte> types, String error) {
    }

    // ---------------------------------------------------------------------------------- properties

    @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED)
    void wellFormedRepliesAreFoundWholeUnderAnySplit(@ForAll("replies") List<Reply> replies, @ForAll long splitSeed) {
        byte[] input = concat(replies);
        List<Integer> lengths = new ArrayList<>();
        List<Byte> types = new ArrayList<>();
        for (Reply r : replies) {
            lengths.add(r.bytes().length);
            types.add(r.type());
        }
        Scan expected = new Scan(lengths, types, null);
        assertEquals(expected, checkSplits(input, MAX_DEPTH, MAX_BULK, splitSeed),
                () -> "input: " + RespMutations.escape(input));
    }

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
    void aReplyDeeperThanTheLimitIsRefusedAfterTheRepliesBeforeIt(@ForAll("replies") List<Reply> replies,
            @ForAll @IntRange(min = 1, max = 5) int maxDepth, @ForAll long splitSeed) {
        byte[] input = concat(replies);
        List<Integer> lengths = new ArrayList<>();
        List<Byte> types = new ArrayList<>();
        boolean refused = false;
        for (Reply r : replies) {
            if (r.depth() > maxDepth) {
                refused = true;
                break;
            }
            lengths.add(r.bytes().length);
            types.add(r.type());
        }
        Scan scan = checkSplits(input, maxDepth, MAX_BULK, splitSeed);
        assertEquals(lengths, scan.lengths());
        assertEquals(types, scan.types());
        if (refused) {
            assertNotNull(scan.error(), "a reply nested too deeply was accepted");
            assertTrue(scan.error().contains("nested deeper than " + maxDepth), scan.error());
        } else {
            assertEquals(null, scan.error());
        }
    }

    @Property(tries = 400, shrinking = ShrinkingMode.BOUNDED)
    void mutatedRepliesAreFramedAsTheGrammarFramesThem(@ForAll("replies") List<Reply> replies,
            @ForAll("mutations") List<Mutation> mutations, @ForAll @IntRange(min = 1, max = MAX_DEPTH) int maxDepth,
            @ForAll("bulkLimits") long maxBulk, @ForAll long splitSeed) {
        byte[] input = RespMutations.apply(concat(replies), mutations);
        checkSplits(input, maxDepth, maxBulk, splitSeed);
    }

    @Property(tries = 400, shrinking = ShrinkingMode.BOUNDED)
    void garbageIsFramedAsTheGrammarFramesIt(@ForAll("garbage") byte[] input,
            @ForAll @IntRange(min = 1, max = MAX_DEPTH) int maxDepth, @ForAll("bulkLimits") long maxBulk,
            @ForAll long splitSeed) {
        checkSplits(input, maxDepth, maxBulk, splitSeed);
    }

    /**
     * Every edge-case number ({@link RespMutations#NUMBERS}: -1, 0, INT_MAX + 1, 2^62, LONG_MAX, 21 digits,
     * "+1", "01", ...) in place of the count or length of one header line of a well-formed stream.
     */
    @Property(tries = 60, shrinking = ShrinkingMode.BOUNDED)
    void everyEdgeCaseCountInAHeaderIsFramedAsTheGrammarFramesIt(@ForAll("replies") List<Reply> replies,
            @ForAll @IntRange(min = 0, max = 1000) int which, @ForAll long splitSeed) {
        String input = new String(concat(replies), StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = HEADER.matcher(input);
        List<int[]> headers = new ArrayList<>();
        while (m.find()) {
            headers.add(new int[] {m.start(1), m.end(1)});
        }
        if (headers.isEmpty()) {
            return;
        }
        int[] h = headers.get(which % headers.size());
        RequestDecoderPropertyTest.within(() -> {
            for (String number : RespMutations.NUMBERS) {
                String mutated = input.substring(0, h[0]) + number + input.substring(h[1]);
                checkSplitsNow(ascii(mutated), MAX_DEPTH, MAX_BULK, splitSeed);
            }
            return null;
        });
    }

    private static final java.util.regex.Pattern HEADER = java.util.regex.Pattern.compile("[*$!=~%>|](-?[0-9]+)\r\n");

    // ---------------------------------------------------------------------------------- checks

    /**
     * Scans {@code input} whole, in random chunks (compacting the buffer now and then) and byte at a time
     * (small chunks when long); checks they agree with each other and with {@link Reference}.
     */
    private static Scan checkSplits(byte[] input, int maxDepth, long maxBulk, long splitSeed) {
        return RequestDecoderPropertyTest.within(() -> checkSplitsNow(input, maxDepth, maxBulk, splitSeed));
    }

    static Scan checkSplitsNow(byte[] input, int maxDepth, long maxBulk, long splitSeed) {
        {
            Scan whole = scan(input, maxDepth, maxBulk, new int[] {input.length}, null);
            Random random = new Random(splitSeed);
            int[] chunks = randomEnds(input.length, random, 1 + random.nextInt(64));
            int[] small = randomEnds(input.length, random, input.length <= 2048 ? 1 : 16);
            for (int[] ends : List.of(chunks, small)) {
                Scan split = scan(input, maxDepth, maxBulk, ends, random);
                assertEquals(whole, split, () -> "split at " + java.util.Arrays.toString(ends) + " of "
                        + RespMutations.escape(input));
            }
            Scan reference = new Reference(input, maxDepth, maxBulk).scan();
            assertEquals(reference.lengths(), whole.lengths(), () -> "frames differ from the grammar's for "
                    + RespMutations.escape(input));
            assertEquals(reference.types(), whole.types(), () -> "types differ for " + RespMutations.escape(input));
            assertEquals(reference.error() != null, whole.error() != null, () -> "scanner: " + whole.error()
                    + ", grammar: " + reference.error() + ", for " + RespMutations.escape(input));
            if (whole.error() != null) {
                assertTrue(whole.error().startsWith("Malformed reply from upstream: "), whole.error());
            }
            return whole;
        }
    }

    /**
     * Appends the chunks to one buffer and takes every complete frame after each, as the reply handler
     * does; with {@code compact} given, sometimes discards the bytes already read first (the scanner's
     * offsets are relative to the reader index, so that must not matter).
     */
    private static Scan scan(byte[] input, int maxDepth, long maxBulk, int[] ends, Random compact) {
        ReplyScanner scanner = new ReplyScanner(maxDepth, maxBulk);
        List<Integer> lengths = new ArrayList<>();
        List<Byte> types = new ArrayList<>();
        // Not leak-tracked: paranoid tracking would record every getByte. The test owns and frees it.
        ByteBuf buf = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 256, Integer.MAX_VALUE);
        try {
            int from = 0;
            for (int end : ends) {
                buf.writeBytes(input, from, end - from);
                from = end;
                for (;;) {
                    int reader = buf.readerIndex();
                    int length;
                    try {
                        length = scanner.nextFrame(buf);
                    } catch (ReplyProtocolException e) {
                        assertEquals(reader, buf.readerIndex(), "nextFrame moved the reader index");
                        return new Scan(lengths, types, e.getMessage());
                    }
                    assertEquals(reader, buf.readerIndex(), "nextFrame moved the reader index");
                    if (length < 0) {
                        break;
                    }
                    assertTrue(length > 0 && length <= buf.readableBytes(), "frame length " + length);
                    lengths.add(length);
                    types.add(scanner.lastFrameType());
                    buf.skipBytes(length);
                }
                if (compact != null && compact.nextInt(4) == 0) {
                    buf.discardReadBytes();
                }
            }
            return new Scan(lengths, types, null);
        } finally {
            buf.release();
        }
    }

    private static int[] randomEnds(int n, Random random, int maxChunk) {
        List<Integer> ends = new ArrayList<>();
        int at = 0;
        while (at < n) {
            at = Math.min(n, at + 1 + random.nextInt(maxChunk));
            ends.add(at);
        }
        return ends.stream().mapToInt(Integer::intValue).toArray();
    }

    // ---------------------------------------------------------------------------------- generators

    @Provide
    Arbitrary<List<Reply>> replies() {
        return Arbitraries.longs().map(seed -> reply(new Random(seed), 0)).list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Combinators.combine(Arbitraries.of(RespMutations.Kind.class),
                        Arbitraries.integers().between(0, Integer.MAX_VALUE),
                        Arbitraries.integers().between(0, 1 << 16)).as(Mutation::new)
                .list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<Long> bulkLimits() {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(MAX_BULK)),
                Tuple.of(1, Arbitraries.longs().between(1, 40)),
                Tuple.of(1, Arbitraries.just(4L << 30)));
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)),
                Tuple.of(3, Arbitraries.longs().map(seed -> RespMutations.garbage(new Random(seed), 300))));
    }

    /**
     * A random reply at nesting level {@code level}: scalars mostly, aggregates less often the deeper
     * they are, up to 7 levels; an attribute now and then before a value.
     */
    static Reply reply(Random r, int level) {
        if (r.nextInt(12) == 0 && level < 7) {
            // An attribute annotates the value after it; both are one frame (or one element).
            int pairs = r.nextInt(3);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(ascii("|" + pairs + "\r\n"));
            int depth = 0;
            for (int i = 0; i < 2 * pairs; i++) {
                Reply e = reply(r, level + 1);
                out.writeBytes(e.bytes());
                depth = Math.max(depth, e.depth());
            }
            Reply value = reply(r, level);
            out.writeBytes(value.bytes());
            int own = pairs > 0 ? 1 + depth : 0;
            return new Reply(out.toByteArray(), value.type(), Math.max(own, value.depth()));
        }
        boolean aggregate = level < 7 && r.nextInt(10) < 4 - level / 2;
        if (aggregate) {
            char marker = "***~%>".charAt(r.nextInt(6));
            if (marker == '*' && r.nextInt(8) == 0) {
                return new Reply(ascii("*-1\r\n"), (byte) '*', 0);
            }
            int count = r.nextInt(5);
            int elements = marker == '%' ? 2 * count : count;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(ascii(marker + Integer.toString(count) + "\r\n"));
            int depth = 0;
            for (int i = 0; i < elements; i++) {
                Reply e = reply(r, level + 1);
                out.writeBytes(e.bytes());
                depth = Math.max(depth, e.depth());
            }
            return new Reply(out.toByteArray(), (byte) marker, elements > 0 ? 1 + depth : 0);
        }
        return switch (r.nextInt(13)) {
            case 0 -> scalar('+', text(r));
            case 1 -> scalar('-', "ERR " + text(r));
            case 2 -> scalar(':', integer(r));
            case 3, 4 -> blob('$', binary(r, MAX_BULK));
            case 5 -> scalar('$', "-1");
            case 6 -> scalar('_', "");
            case 7 -> scalar('#', r.nextBoolean() ? "t" : "f");
            case 8 -> scalar(',', List.of("3.14", "-0.5", "inf", "-inf", "nan", "1e+300", "0").get(r.nextInt(7)));
            case 9 -> scalar('(', new BigInteger(1 + r.nextInt(200), r).toString());
            case 10 -> blob('!', ascii("ERR " + text(r)));
            // The "txt:" prefix counts towards the blob length, which must stay within MAX_BULK.
            case 11 -> blob('=', concat(ascii("txt:"), binary(r, MAX_BULK - 4)));
            default -> scalar(':', Long.toString(r.nextInt(100)));
        };
    }

    private static Reply scalar(char marker, String line) {
        return new Reply(ascii(marker + line + "\r\n"), (byte) marker, 0);
    }

    private static Reply blob(char marker, byte[] payload) {
        return new Reply(concat(ascii(marker + Integer.toString(payload.length) + "\r\n"), payload, ascii("\r\n")),
                (byte) marker, 0);
    }

    /** A simple-string line: any bytes but CR and LF. */
    private static String text(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(20);
        for (int i = 0; i < n; i++) {
            char c;
            do {
                c = (char) (r.nextBoolean() ? 'a' + r.nextInt(26) : r.nextInt(256));
            } while (c == '\r' || c == '\n');
            sb.append(c);
        }
        return sb.toString();
    }

    private static String integer(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> Long.toString(Long.MIN_VALUE);
            case 1 -> Long.toString(Long.MAX_VALUE);
            case 2 -> "+" + r.nextInt(1000);
            default -> Long.toString(r.nextLong() >> r.nextInt(64));
        };
    }

    /** Blob payloads: empty, short with CR LF and NUL inside, or long, of at most {@code max} bytes. */
    private static byte[] binary(Random r, long max) {
        int n = switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 1000 + r.nextInt((int) max - 1000 + 1);
            default -> r.nextInt(30);
        };
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = r.nextInt(3) == 0 ? RespMutations.INTERESTING[r.nextInt(RespMutations.INTERESTING.length)]
                    : (byte) r.nextInt(256);
        }
        return b;
    }

    private static byte[] concat(List<Reply> replies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Reply r : replies) {
            out.writeBytes(r.bytes());
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------------------------- reference

    /**
     * The reply grammar the scanner implements, as a plain recursive parser over the whole input: the
     * same types, the same limits (nesting depth; blob length and text line length up to the bulk limit;
     * 64 bytes for number lines), and the same rule that a limit is exceeded as soon as the bytes show it.
     * It either frames a value, needs more bytes, or finds it malformed.
     */
    static final class Reference {
        private static final int MAX_NUMBER_LINE = 64;

        private static final class Malformed extends RuntimeException {
            Malformed(String why) {
                super(why, null, false, false);
            }
        }

        private static final class Incomplete extends RuntimeException {
            Incomplete() {
                super(null, null, false, false);
            }
        }

        private final byte[] in;
        private final int maxDepth;
        private final long maxBulk;
        private byte topType;

        Reference(byte[] in, int maxDepth, long maxBulk) {
            this.in = in;
            this.maxDepth = maxDepth;
            this.maxBulk = maxBulk;
        }

        Scan scan() {
            List<Integer> lengths = new ArrayList<>();
            List<Byte> types = new ArrayList<>();
            int at = 0;
            while (at < in.length) {
                try {
                    int end = value(at, 0);
                    lengths.add(end - at);
                    types.add(topType);
                    at = end;
                } catch (Incomplete e) {
                    break;
                } catch (Malformed e) {
                    return new Scan(lengths, types, e.getMessage());
                }
            }
            return new Scan(lengths, types, null);
        }

        /** Parses the value at {@code p} with {@code open} aggregates around it; returns where it ends. */
        private int value(int p, int open) {
            if (p >= in.length) {
                throw new Incomplete();
            }
            char marker = (char) (in[p] & 0xFF);
            boolean text = "+-(,".indexOf(marker) >= 0;
            if (!text && ":_#$!=*~>%|".indexOf(marker) < 0) {
                throw new Malformed("marker");
            }
            long maxLine = text ? maxBulk : MAX_NUMBER_LINE;
            int cr = -1;
            for (long i = p + 1; i < in.length && i <= p + 1 + maxLine; i++) {
                if (in[(int) i] == '\r') {
                    cr = (int) i;
                    break;
                }
            }
            if (cr < 0) {
                throw in.length - (p + 1) > maxLine ? new Malformed("line too long") : new Incomplete();
            }
            if (cr + 1 >= in.length) {
                throw new Incomplete();
            }
            if (in[cr + 1] != '\n') {
                throw new Malformed("CRLF");
            }
            String line = new String(in, p + 1, cr - p - 1, StandardCharsets.ISO_8859_1);
            int next = cr + 2;
            if (open == 0 && marker != '|') {
                topType = (byte) marker;
            }
            switch (marker) {
                case '+', '-', '(', ',' -> {
                    return next;
                }
                case ':' -> {
                    if (!line.matches("[+-]?[0-9]+") || !fitsLong(line)) {
                        throw new Malformed("integer");
                    }
                    return next;
                }
                case '_' -> {
                    if (!line.isEmpty()) {
                        throw new Malformed("null");
                    }
                    return next;
                }
                case '#' -> {
                    if (!line.equals("t") && !line.equals("f")) {
                        throw new Malformed("boolean");
                    }
                    return next;
                }
                case '$', '!', '=' -> {
                    Long length = string2ll(line);
                    if (marker == '$' && length != null && length == -1) {
                        return next;
                    }
                    if (length == null || length < 0 || length > maxBulk) {
                        throw new Malformed("blob length");
                    }
                    long end = next + length + 2;
                    if (end > Integer.MAX_VALUE - 1) {
                        throw new Malformed("too big");
                    }
                    if (in.length < end) {
                        throw new Incomplete();
                    }
                    if (in[(int) end - 2] != '\r' || in[(int) end - 1] != '\n') {
                        throw new Malformed("CRLF after blob");
                    }
                    return (int) end;
                }
                default -> {
                    Long count = string2ll(line);
                    if (marker == '*' && count != null && count == -1) {
                        return next;
                    }
                    if (count == null || count < 0) {
                        throw new Malformed("aggregate length");
                    }
                    BigInteger exact = BigInteger.valueOf(count).shiftLeft(marker == '%' || marker == '|' ? 1 : 0);
                    if (exact.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
                        throw new Malformed("aggregate length");
                    }
                    long elements = exact.longValueExact();
                    int q = next;
                    if (elements > 0) {
                        if (open == maxDepth) {
                            throw new Malformed("nested too deeply");
                        }
                        for (long i = 0; i < elements; i++) {
                            q = value(q, open + 1);
                        }
                    }
                    // An attribute is followed by the value it annotates, which is the element.
                    return marker == '|' ? value(q, open) : q;
                }
            }
        }

        /** Redis's {@code string2ll}: optional '-', no leading zeros (but "0"), fewer than 21 characters. */
        private static Long string2ll(String s) {
            if (s.isEmpty() || s.length() >= 21 || !s.matches("0|-?[1-9][0-9]*") || !fitsLong(s)) {
                return null;
            }
            return Long.parseLong(s);
        }

        private static boolean fitsLong(String s) {
            BigInteger v = new BigInteger(s.startsWith("+") ? s.substring(1) : s);
            return v.bitLength() < 64;
        }
    }
}
