package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.respgate.codec.testing.RespMutations;
import io.respgate.codec.testing.RespMutations.Mutation;
import io.respgate.codec.testing.RespRequests;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Properties of {@link RequestDecoder} over generated input (jqwik): well-formed streams of multibulk
 * and inline requests, the same streams mutated byte by byte, and garbage built from RESP tokens.
 *
 * <ul>
 *   <li>The decoder only ever emits {@link CommandFrame}s and at most one {@link ProtocolViolation}
 *       with one of Redis's protocol error messages; it never throws, and returns within seconds.</li>
 *   <li>Whatever the split of the same bytes into reads (whole, random chunks, byte at a time), it emits
 *       the same frames, the same violation after the same frames, and keeps the same bytes pending.</li>
 *   <li>Decoding a prefix never contradicts decoding the whole: its frames are a prefix of the whole's,
 *       and a violation it reports is the whole's violation.</li>
 *   <li>Every frame's bytes, decoded again, are one request with the same arguments: what is forwarded
 *       is what was checked. Frames respect the limits.</li>
 *   <li>Every buffer written in is released, and every frame holds exactly one reference (the tests
 *       run with Netty's paranoid leak detection).</li>
 * </ul>
 *
 * Each property is bounded in tries and input size; together they take a few seconds.
 */
class RequestDecoderPropertyTest {
    /** Messages the decoder may report, besides {@code expected '$', got 'x'}. */
    private static final Set<String> MESSAGES = Set.of(RequestDecoder.INVALID_MULTIBULK_LENGTH,
            RequestDecoder.INVALID_BULK_LENGTH, RequestDecoder.TOO_BIG_INLINE, RequestDecoder.TOO_BIG_MBULK_COUNT,
            RequestDecoder.TOO_BIG_BULK_COUNT, RequestDecoder.UNBALANCED_QUOTES,
            RequestDecoder.UNAUTHENTICATED_MULTIBULK, RequestDecoder.UNAUTHENTICATED_BULK,
            RequestDecoder.CRLF_AFTER_BULK, RequestDecoder.CRLF_AFTER_MULTIBULK_LENGTH,
            RequestDecoder.CRLF_AFTER_BULK_LENGTH, RequestDecoder.NUL_IN_INLINE, RequestDecoder.REQUEST_TOO_BIG);
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** One request as generated: its bytes on the wire and the arguments it stands for (none: skipped). */
    record Req(byte[] raw, List<byte[]> args, boolean inline) {
        @Override
        public String toString() {
            return RespMutations.escape(raw);
        }
    }

    /** One decoded request, as comparable values. */
    record Frame(List<String> args, String bytes, boolean inline) {
    }

    /** Everything decoding some input produced. */
    record Outcome(List<Frame> frames, String violation, int pending) {
    }

    // ---------------------------------------------------------------------------------- properties

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
    void validStreamsDecodeToTheirRequestsUnderAnySplit(@ForAll("streams") List<Req> reqs, @ForAll long splitSeed) {
        byte[] input = concat(reqs);
        List<Frame> expected = new ArrayList<>();
        for (Req r : reqs) {
            if (!r.args().isEmpty()) {
                expected.add(new Frame(strings(r.args()), latin1(RespRequests.multibulk(r.args())), r.inline()));
            }
        }
        Outcome whole = checkSplits(input, RequestLimits.defaults(), true, splitSeed);
        assertEquals(new Outcome(expected, null, 0), whole, () -> "input: " + RespMutations.escape(input));
    }

    @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED)
    void mutatedStreamsGiveFramesThenAtMostOneProtocolError(@ForAll("streams") List<Req> reqs,
            @ForAll("mutations") List<Mutation> mutations, @ForAll boolean authenticated, @ForAll long splitSeed) {
        byte[] input = RespMutations.apply(concat(reqs), mutations);
        checkSplits(input, RequestLimits.defaults(), authenticated, splitSeed);
    }

    @Property(tries = 400, shrinking = ShrinkingMode.BOUNDED)
    void garbageGivesFramesThenAtMostOneProtocolError(@ForAll("garbage") byte[] input, @ForAll boolean authenticated,
            @ForAll long splitSeed) {
        checkSplits(input, RequestLimits.defaults(), authenticated, splitSeed);
    }

    @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED)
    void smallLimitsAreEnforcedTheSameWayUnderAnySplit(@ForAll("streams") List<Req> reqs,
            @ForAll("fewMutations") List<Mutation> mutations,
            @ForAll @IntRange(min = 1, max = 12) int maxArguments,
            @ForAll @LongRange(min = 1, max = 80) long maxBulkLength,
            @ForAll @IntRange(min = 1, max = 200) int maxInlineLength,
            @ForAll boolean authenticated, @ForAll long splitSeed) {
        byte[] input = RespMutations.apply(concat(reqs), mutations);
        RequestLimits limits = new RequestLimits(maxArguments, maxBulkLength, maxInlineLength);
        Outcome outcome = checkSplits(input, limits, authenticated, splitSeed);
        for (Frame f : outcome.frames()) {
            assertTrue(f.args().size() <= maxArguments, "too many arguments: " + f);
            if (!f.inline()) {
                for (String arg : f.args()) {
                    assertTrue(arg.length() <= maxBulkLength, "bulk over the limit: " + f);
                }
                if (!authenticated) {
                    assertTrue(f.args().size() <= RequestDecoder.UNAUTHENTICATED_MAX_ARGUMENTS, f::toString);
                    for (String arg : f.args()) {
                        assertTrue(arg.length() <= RequestDecoder.UNAUTHENTICATED_MAX_BULK, f::toString);
                    }
                }
            }
        }
    }

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
    void aPrefixNeverContradictsTheWhole(@ForAll("streams") List<Req> reqs,
            @ForAll("fewMutations") List<Mutation> mutations, @ForAll @IntRange(min = 0, max = 100_000) int cut) {
        byte[] input = RespMutations.apply(concat(reqs), mutations);
        int at = input.length == 0 ? 0 : cut % (input.length + 1);
        byte[] prefix = java.util.Arrays.copyOf(input, at);
        Outcome whole = decode(input, RequestLimits.defaults(), true, new int[] {input.length}, false);
        Outcome part = decode(prefix, RequestLimits.defaults(), true, new int[] {prefix.length}, false);
        assertTrue(part.frames().size() <= whole.frames().size(), "prefix produced more frames");
        assertEquals(whole.frames().subList(0, part.frames().size()), part.frames(), "prefix frames differ");
        if (part.violation() != null) {
            assertEquals(whole.violation(), part.violation(), "a violation in the prefix the whole does not have");
            assertEquals(whole.frames(), part.frames());
        }
    }

    /**
     * Every edge-case number ({@link RespMutations#NUMBERS}) in place of one {@code *} count or {@code $}
     * length of a well-formed stream, authenticated or not.
     */
    @Property(tries = 15, shrinking = ShrinkingMode.BOUNDED)
    void everyEdgeCaseCountInAHeaderIsDecodedTheSameAtEverySplit(@ForAll("smallStreams") List<Req> reqs,
            @ForAll @IntRange(min = 0, max = 1000) int which, @ForAll boolean authenticated, @ForAll long splitSeed) {
        String input = latin1(concat(reqs));
        java.util.regex.Matcher m = HEADER.matcher(input);
        List<int[]> headers = new ArrayList<>();
        while (m.find()) {
            headers.add(new int[] {m.start(1), m.end(1)});
        }
        if (headers.isEmpty()) {
            return;
        }
        int[] h = headers.get(which % headers.size());
        within(() -> {
            for (String number : RespMutations.NUMBERS) {
                byte[] mutated = bytes(input.substring(0, h[0]) + number + input.substring(h[1]));
                checkSplitsNow(mutated, RequestLimits.defaults(), authenticated, splitSeed);
            }
            return null;
        });
    }

    private static final java.util.regex.Pattern HEADER = java.util.regex.Pattern.compile("[*$](-?[0-9]+)\\r\\n");

    /**
     * Header lines around the fixed 64 KiB bound ({@code *}, {@code $} and inline lines): decided by the
     * position of the line end, so the same at every split.
     */
    @Property(tries = 4, shrinking = ShrinkingMode.OFF)
    void headerLinesAroundTheLengthBoundAreDecidedTheSameAtEverySplit(
            @ForAll @IntRange(min = 0, max = 2) int kind,
            @ForAll @IntRange(min = -3, max = 3) int offset,
            @ForAll boolean lineEnd, @ForAll long splitSeed) {
        int length = RequestDecoder.MAX_HEADER_LINE + offset;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (kind) {
            case 0 -> out.writeBytes(bytes("*"));
            case 1 -> out.writeBytes(bytes("*1\r\n$"));
            default -> { }
        }
        byte[] body = new byte[length];
        java.util.Arrays.fill(body, (byte) (kind == 2 ? 'a' : '0'));
        body[body.length - 1] = '1';
        out.writeBytes(body);
        if (lineEnd) {
            out.writeBytes(bytes("\r\n"));
        }
        checkSplits(out.toByteArray(), RequestLimits.defaults(), true, splitSeed);
    }

    // ---------------------------------------------------------------------------------- generators

    @Provide
    Arbitrary<List<Req>> streams() {
        return streams(true);
    }

    /** Streams without large arguments, for properties that decode each input many times. */
    @Provide
    Arbitrary<List<Req>> smallStreams() {
        return streams(false);
    }

    private Arbitrary<List<Req>> streams(boolean big) {
        Arbitrary<List<byte[]>> args = args(big);
        return Arbitraries.frequencyOf(
                Tuple.of(6, args.map(a -> new Req(RespRequests.multibulk(a), a, false))),
                Tuple.of(4, Combinators.combine(args, Arbitraries.longs())
                        .as((a, seed) -> new Req(RespRequests.inline(a, new Random(seed)), a, true))),
                Tuple.of(1, Arbitraries.of("*0\r\n", "*-1\r\n", "*-100\r\n", "\r\n", "\n", " \t \r\n", "  \n")
                        .map(s -> new Req(bytes(s), List.of(), false))))
                .list().ofMinSize(1).ofMaxSize(8);
    }

    private Arbitrary<List<byte[]>> args(boolean withBig) {
        Arbitrary<byte[]> word = Arbitraries.strings().withCharRange('a', 'z').withChars("*:-_.")
                .ofMinLength(1).ofMaxLength(8).map(RequestDecoderPropertyTest::bytes);
        Arbitrary<byte[]> special = Arbitraries.oneOf(Arbitraries.of(box(RespMutations.INTERESTING)), Arbitraries.bytes())
                .array(byte[].class).ofMaxSize(24);
        Arbitrary<byte[]> big = Arbitraries.bytes().array(byte[].class).ofMinSize(200).ofMaxSize(2000);
        Arbitrary<byte[]> arg = withBig ? Arbitraries.frequencyOf(Tuple.of(6, word), Tuple.of(4, special), Tuple.of(1, big))
                : Arbitraries.frequencyOf(Tuple.of(6, word), Tuple.of(4, special));
        return arg.list().ofMinSize(1).ofMaxSize(6);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return mutation().list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<Mutation>> fewMutations() {
        return mutation().list().ofMinSize(0).ofMaxSize(2);
    }

    private Arbitrary<Mutation> mutation() {
        return Combinators.combine(Arbitraries.of(RespMutations.Kind.class),
                Arbitraries.integers().between(0, Integer.MAX_VALUE),
                Arbitraries.integers().between(0, 1 << 16)).as(Mutation::new);
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)),
                Tuple.of(3, Arbitraries.longs().map(seed -> RespMutations.garbage(new Random(seed), 300))));
    }

    // ---------------------------------------------------------------------------------- checks

    /**
     * Decodes {@code input} whole, in random chunks and byte at a time (or in small chunks when it is
     * long), checks the outcomes are equal and well-formed, and returns the outcome.
     */
    private static Outcome checkSplits(byte[] input, RequestLimits limits, boolean authenticated, long splitSeed) {
        return within(() -> checkSplitsNow(input, limits, authenticated, splitSeed));
    }

    private static Outcome checkSplitsNow(byte[] input, RequestLimits limits, boolean authenticated, long splitSeed) {
        {
            // Whole: through the default allocator, leak-tracked (paranoid in the test JVM). Split: through
            // an allocator that counts what is outstanding, checked to be zero at the end (paranoid tracking
            // of every getByte would make byte-at-a-time feeding slow, and a count is exact).
            Outcome whole = decode(input, limits, authenticated, new int[] {input.length}, false);
            Random random = new Random(splitSeed);
            int[] randomSplit = randomEnds(input.length, random, 1 + random.nextInt(64));
            // Byte at a time where that is cheap; long inputs in small chunks, very long ones in larger ones.
            int[] small = randomEnds(input.length, random, input.length <= 1024 ? 1 : input.length <= 8192 ? 16 : 1024);
            for (int[] ends : List.of(randomSplit, small)) {
                Outcome split = decode(input, limits, authenticated, ends, true);
                assertEquals(whole, split, () -> "split at " + java.util.Arrays.toString(ends) + " of "
                        + RespMutations.escape(input));
            }
            check(whole, input);
            return whole;
        }
    }

    private static void check(Outcome outcome, byte[] input) {
        String v = outcome.violation();
        if (v != null) {
            // (?s): the byte may be 0x85, which '.' does not match otherwise (NEL is a line terminator in Java).
            assertTrue(MESSAGES.contains(v) || v.matches("(?s)Protocol error: expected '\\$', got '.'"),
                    () -> "unexpected message " + v + " for " + RespMutations.escape(input));
            assertEquals(0, outcome.pending(), "bytes kept after a violation");
        }
        // What is forwarded decodes to what was checked: the frames' bytes, one after the other, decode to
        // the same frames (as multibulk requests).
        StringBuilder forwarded = new StringBuilder();
        List<Frame> asMultibulk = new ArrayList<>();
        for (Frame f : outcome.frames()) {
            forwarded.append(f.bytes());
            asMultibulk.add(new Frame(f.args(), f.bytes(), false));
        }
        if (!asMultibulk.isEmpty()) {
            byte[] again = bytes(forwarded.toString());
            assertEquals(new Outcome(asMultibulk, null, 0),
                    decode(again, RequestLimits.defaults(), true, new int[] {again.length}, true),
                    () -> "frame bytes decode differently, from " + RespMutations.escape(input));
        }
    }

    /** Random chunk ends: chunks of 1 to {@code maxChunk} bytes. */
    private static int[] randomEnds(int n, Random random, int maxChunk) {
        List<Integer> ends = new ArrayList<>();
        int at = 0;
        while (at < n) {
            at = Math.min(n, at + 1 + random.nextInt(maxChunk));
            ends.add(at);
        }
        if (ends.isEmpty()) {
            ends.add(0);
        }
        return ends.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Writes {@code input} in chunks ending at {@code ends} into a fresh decoder in an
     * {@link EmbeddedChannel}, and collects what it emitted (frames copied, then released). With
     * {@code counted}, the channel allocates from an allocator without leak tracking whose outstanding
     * bytes must be zero once the channel is finished.
     */
    static Outcome decode(byte[] input, RequestLimits limits, boolean authenticated, int[] ends, boolean counted) {
        RequestDecoder decoder = new RequestDecoder(limits);
        decoder.setAuthenticated(authenticated);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        UnpooledByteBufAllocator allocator = counted ? new UnpooledByteBufAllocator(false, true) : null;
        if (counted) {
            channel.config().setAllocator(allocator);
        }
        List<ByteBuf> written = new ArrayList<>();
        List<Frame> frames = new ArrayList<>();
        String violation = null;
        int from = 0;
        for (int end : ends) {
            if (end == from) {
                continue; // Unpooled's empty buffer is not reference-counted
            }
            ByteBuf chunk = Unpooled.wrappedBuffer(input, from, end - from);
            written.add(chunk);
            from = end;
            channel.writeInbound(chunk);
            Object msg;
            while ((msg = channel.readInbound()) != null) {
                if (msg instanceof CommandFrame frame) {
                    try {
                        assertNull(violation, "a frame after the protocol violation");
                        assertTrue(frame.refCnt() >= 1, "a frame must hold a reference to its buffer");
                        frames.add(copy(frame));
                    } finally {
                        frame.release();
                    }
                } else if (msg == EmptyRequest.INSTANCE) {
                    assertNull(violation, "an empty request after the protocol violation");
                } else if (msg instanceof ProtocolViolation v) {
                    assertNull(violation, "a second protocol violation");
                    violation = v.message();
                } else {
                    fail("unexpected message " + msg);
                }
            }
        }
        int pending = decoder.pendingBytes();
        if (channel.finishAndReleaseAll()) {
            fail("messages left in the channel");
        }
        for (ByteBuf buf : written) {
            assertEquals(0, buf.refCnt(), "an input buffer was not released");
        }
        if (counted) {
            assertEquals(0, allocator.metric().usedHeapMemory() + allocator.metric().usedDirectMemory(),
                    "buffers the decoder allocated were not released");
        }
        return new Outcome(frames, violation, pending);
    }

    private static Frame copy(CommandFrame frame) {
        List<String> args = new ArrayList<>(frame.argCount());
        for (int i = 0; i < frame.argCount(); i++) {
            args.add(latin1(frame.argBytes(i)));
        }
        return new Frame(args, frame.buffer().toString(frame.start(), frame.length(), StandardCharsets.ISO_8859_1),
                frame.isInline());
    }

    static <T> T within(Supplier<T> body) {
        return assertTimeoutPreemptively(TIMEOUT, body::get, "the decoder did not return (a loop?)");
    }

    // ---------------------------------------------------------------------------------- bytes

    private static byte[] concat(List<Req> reqs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Req r : reqs) {
            out.writeBytes(r.raw());
        }
        return out.toByteArray();
    }

    private static List<String> strings(List<byte[]> args) {
        List<String> out = new ArrayList<>(args.size());
        for (byte[] a : args) {
            out.add(latin1(a));
        }
        return out;
    }

    static Byte[] box(byte[] bytes) {
        Byte[] out = new Byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i];
        }
        return out;
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }
}
