package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.respgate.codec.DecoderHarness.bytes;
import static io.respgate.codec.DecoderHarness.multibulk;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestDecoderTest {

    /** One request on the wire and the arguments it must decode to; no arguments means an {@link EmptyRequest}. */
    record Req(byte[] raw, List<byte[]> args) {
        static Req of(String raw, String... args) {
            List<byte[]> list = new ArrayList<>();
            for (String arg : args) {
                list.add(bytes(arg));
            }
            return new Req(bytes(raw), list);
        }

        @Override
        public String toString() {
            return new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
        }
    }

    static List<Req> validRequests() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        List<byte[]> binaryArgs = List.of(bytes("ECHO"), all);
        List<Req> reqs = new ArrayList<>(List.of(
                Req.of("*1\r\n$4\r\nPING\r\n", "PING"),
                Req.of("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n", "SET", "k", "hello"),
                Req.of("*2\r\n$4\r\nECHO\r\n$6\r\na\r\n\0b\r\r\n", "ECHO", "a\r\n\0b\r"),
                Req.of("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", "ECHO", ""),
                Req.of("*0\r\n"),
                Req.of("*-1\r\n"),
                Req.of("*-9223372036854775808\r\n"),
                Req.of("PING\r\n", "PING"),
                Req.of("PING\n", "PING"),
                Req.of("  PING  \r\n", "PING"),
                Req.of("\r\n"),
                Req.of("\n"),
                Req.of(" \t \r\n"),
                Req.of("PING\r\r\n", "PING"),
                Req.of("SET k \"a b\"\r\n", "SET", "k", "a b"),
                Req.of("ECHO \"\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\\"\\q\"\n", "ECHO", "AJ\n\r\t\b\u0007\\\"q"),
                Req.of("ECHO 'it\\'s \\n'\r\n", "ECHO", "it's \\n"),
                Req.of("ECHO \"\"\r\n", "ECHO", ""),
                Req.of("ECHO ''\r\n", "ECHO", ""),
                Req.of("ECHO a\"b c\"\r\n", "ECHO", "ab c"),
                Req.of("ECHO \"\\x4\"\r\n", "ECHO", "x4"),
                Req.of("ECHO \"\\xZZ\"\r\n", "ECHO", "xZZ"),
                Req.of("ECHO \"\\xfF\"\r\n", "ECHO", "\u00ff"),
                Req.of("ECHO\u000ba\r\n", "ECHO\u000ba"),
                Req.of("\u000b\u000cECHO a\r\n", "ECHO", "a"),
                Req.of("ECHO a\rb\r\n", "ECHO", "a", "b"),
                Req.of("ECHO \"a\rb\"\r\n", "ECHO", "a\rb"),
                Req.of("ECHO \u00ff\u00fe\r\n", "ECHO", "\u00ff\u00fe"),
                Req.of("ECHO \"a\"\t'b'\r\n", "ECHO", "a", "b"),
                Req.of("ECHO 'a\"b' \"c'd\"\r\n", "ECHO", "a\"b", "c'd")));
        reqs.add(new Req(multibulk(binaryArgs), binaryArgs));
        List<byte[]> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(bytes("arg" + i));
        }
        reqs.add(new Req(multibulk(many), many));
        return reqs;
    }

    @ParameterizedTest
    @MethodSource("validRequests")
    void decodesEachRequestAtEverySplit(Req req) {
        List<Req> one = List.of(req);
        int n = req.raw.length;
        check(one, new int[] {n});
        check(one, everyByte(n));
        for (int cut = 1; cut < n; cut++) {
            check(one, new int[] {cut, n});
        }
    }

    @Test
    void framesOfOneReadNameTheirPlaceInTheirBufferSoAWriterCanJoinThem() {
        EmbeddedChannel channel = new EmbeddedChannel(new RequestDecoder(RequestLimits.defaults()));
        byte[] first = bytes("*1\r\n$4\r\nPING\r\n");
        byte[] second = bytes("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        ByteBuf in = Unpooled.buffer().writeBytes(first).writeBytes(second).writeBytes(bytes("PING\r\n"));
        channel.writeInbound(in);
        CommandFrame a = channel.readInbound();
        CommandFrame b = channel.readInbound();
        CommandFrame inline = channel.readInbound();
        try {
            assertSame(in, a.buffer(), "a multibulk frame is read in place, from the client's buffer");
            assertSame(a.buffer(), b.buffer(), "both in one buffer");
            assertEquals(a.start() + first.length, b.start(), "the second starts where the first ends");
            assertEquals(first.length, a.length());
            assertEquals(second.length, b.length());
            assertEquals("k", b.argToString(1));
            assertEquals(b.start() + second.length - 3, b.argIndex(1), "argument indexes are in the buffer");
            assertEquals(2, in.refCnt(), "one reference per frame, the decoder's own released");
            assertNotSame(in, inline.buffer(), "an inline request is re-encoded in a buffer of its own");
            assertArrayEquals(first, ByteBufUtil.getBytes(a.content()));
        } finally {
            a.release();
            b.release();
            inline.release();
            channel.finishAndReleaseAll();
        }
        assertEquals(0, in.refCnt());
    }

    @Test
    void decodesAPipelineAtEverySplit() {
        List<Req> reqs = validRequests();
        int n = concat(reqs).length;
        check(reqs, new int[] {n});
        check(reqs, everyByte(n));
        // Every two-chunk split of the small requests; the large ones are split one by one above.
        List<Req> small = reqs.stream().filter(r -> r.raw.length < 100).toList();
        int m = concat(small).length;
        for (int cut = 1; cut < m; cut++) {
            check(small, new int[] {cut, m});
        }
        for (int step = 2; step < 9; step++) {
            List<Integer> ends = new ArrayList<>();
            for (int end = step; end < n; end += step) {
                ends.add(end);
            }
            ends.add(n);
            check(reqs, ends.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void allRequestsOfOneReadAreEmittedByThatRead() {
        DecoderHarness harness = new DecoderHarness();
        harness.write(bytes("*1\r\n$4\r\nPING\r\nPING\r\n*0\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n*1\r\n$4\r\nPI"));
        assertEquals(3, harness.requests.size());
        assertEquals(1, harness.emptyRequests);
        assertEquals(List.of("ECHO", "x"), harness.requests.get(2).argStrings());
        assertEquals(10, harness.decoder.pendingBytes());
        harness.write(bytes("NG\r\n"));
        assertEquals(4, harness.requests.size());
        assertEquals(0, harness.finish().pending());
    }

    @Test
    void inlineRequestIsReEncodedAsMultibulk() {
        DecoderHarness.Result result = DecoderHarness.decode(bytes("SET  k \"a\\x00b\"\r\n"));
        DecoderHarness.Decoded decoded = result.requests().get(0);
        assertTrue(decoded.inline());
        assertArrayEquals(bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na\0b\r\n"), decoded.bytes());
    }

    @Test
    void decodesA64MiBBulkInLinearTime() {
        int size = 64 * 1024 * 1024;
        byte[] head = bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + size + "\r\n");
        DecoderHarness harness = new DecoderHarness();
        harness.write(head);
        byte[] chunk = new byte[64 * 1024];
        long start = System.nanoTime();
        for (int written = 0; written < size; written += chunk.length) {
            Arrays.fill(chunk, (byte) (written / chunk.length));
            harness.write(chunk);
            assertEquals(0, harness.requests.size());
            assertEquals(head.length + written + chunk.length, harness.decoder.pendingBytes());
        }
        harness.write(bytes("\r"));
        assertEquals(0, harness.requests.size());
        harness.channel.writeInbound(Unpooled.wrappedBuffer(bytes("\n*1\r\n$4\r\nPING\r\n")));
        Object msg = harness.channel.readInbound();
        CommandFrame frame = (CommandFrame) msg;
        try {
            assertEquals(3, frame.argCount());
            assertEquals(size, frame.argLength(2));
            assertEquals(head.length + size + 2, frame.length());
            int last = frame.argIndex(2) + size - 1;
            assertEquals((byte) (size / chunk.length - 1), frame.buffer().getByte(last));
            assertEquals((byte) 7, frame.buffer().getByte(frame.argIndex(2) + 7 * chunk.length));
        } finally {
            frame.release();
        }
        harness.drain();
        assertEquals(1, harness.requests.size());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 20_000, "took " + millis + " ms");
        assertEquals(0, harness.finish().pending());
    }

    @Test
    void argumentTableGrowsAsArgumentsArriveNotFromTheCount() {
        DecoderHarness harness = new DecoderHarness();
        harness.write(bytes("*1000000\r\n$1\r\na\r\n"));
        assertEquals(0, harness.requests.size());
        assertEquals(bytes("*1000000\r\n$1\r\na\r\n").length, harness.decoder.pendingBytes());
        harness.finish();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("*abc\r\n", RequestDecoder.INVALID_MULTIBULK_LENGTH),
                Arguments.of("*\r\n", RequestDecoder.INVALID_MULTIBULK_LENGTH),
                Arguments.of("*+1\r\n", RequestDecoder.INVALID_MULTIBULK_LENGTH),
                Arguments.of("* 1\r\n", RequestDecoder.INVALID_MULTIBULK_LENGTH),
                Arguments.of("*1 \r\n", RequestDecoder.INVALID_MULTIBULK_LENGTH),
                Arguments.of("*01\r\n", RequestDecoder.INVALID_MULTIBULK_LENGTH),
                Arguments.of("*-0\r\n", RequestDecoder.INVALID_MULTIBULK_LENGTH),
                Arguments.of("*2147483648\r\n", RequestDecoder.INVALID_MULTIBULK_LENGTH),
                Arguments.of("*99999999999999999999\r\n", RequestDecoder.INVALID_MULTIBULK_LENGTH),
                Arguments.of("*1048577\r\n", RequestDecoder.INVALID_MULTIBULK_LENGTH),
                Arguments.of("*1\n$4\r\nPING\r\n", RequestDecoder.INVALID_MULTIBULK_LENGTH),
                Arguments.of("*1\r\n$abc\r\n", RequestDecoder.INVALID_BULK_LENGTH),
                Arguments.of("*1\r\n$\r\n", RequestDecoder.INVALID_BULK_LENGTH),
                Arguments.of("*1\r\n$-1\r\n", RequestDecoder.INVALID_BULK_LENGTH),
                Arguments.of("*1\r\n$+4\r\nPING\r\n", RequestDecoder.INVALID_BULK_LENGTH),
                Arguments.of("*1\r\n$04\r\nPING\r\n", RequestDecoder.INVALID_BULK_LENGTH),
                Arguments.of("*1\r\n$536870913\r\n", RequestDecoder.INVALID_BULK_LENGTH),
                Arguments.of("*1\r\n$-9223372036854775808\r\n", RequestDecoder.INVALID_BULK_LENGTH),
                Arguments.of("*1\r\n+PING\r\n", "Protocol error: expected '$', got '+'"),
                Arguments.of("*1\r\nPING\r\n", "Protocol error: expected '$', got 'P'"),
                Arguments.of("*1\r\n\r\n", "Protocol error: expected '$', got ' '"),
                Arguments.of("*1\r\n\u0080\r\n", "Protocol error: expected '$', got '\u0080'"),
                Arguments.of("*1\r\n$4\r\nPINGxx", RequestDecoder.CRLF_AFTER_BULK),
                Arguments.of("*1\r\n$4\r\nPING\n\r", RequestDecoder.CRLF_AFTER_BULK),
                Arguments.of("*1\r\n$4\r\nPING\rx", RequestDecoder.CRLF_AFTER_BULK),
                Arguments.of("*1\rX$4\r\nPING\r\n", RequestDecoder.CRLF_AFTER_MULTIBULK_LENGTH),
                Arguments.of("*1\r\n$4\rXPING\r\n", RequestDecoder.CRLF_AFTER_BULK_LENGTH),
                Arguments.of("ECHO \"a\"b\r\n", RequestDecoder.UNBALANCED_QUOTES),
                Arguments.of("ECHO \"abc\r\n", RequestDecoder.UNBALANCED_QUOTES),
                Arguments.of("ECHO \"a\\\"\r\n", RequestDecoder.UNBALANCED_QUOTES),
                Arguments.of("ECHO 'a\r\n", RequestDecoder.UNBALANCED_QUOTES),
                Arguments.of("ECHO 'a'b\r\n", RequestDecoder.UNBALANCED_QUOTES),
                Arguments.of("PING\0\r\n", RequestDecoder.NUL_IN_INLINE),
                Arguments.of("\0", RequestDecoder.NUL_IN_INLINE),
                Arguments.of("A".repeat(65537), RequestDecoder.TOO_BIG_INLINE),
                Arguments.of("*" + "1".repeat(65537), RequestDecoder.TOO_BIG_MBULK_COUNT),
                Arguments.of("*1\r\n$" + "1".repeat(65536), RequestDecoder.TOO_BIG_BULK_COUNT));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void reportsMalformedInputAndDecodesNothingAfter(String input, String message) {
        byte[] raw = bytes(input + "*1\r\n$4\r\nPING\r\nPING\r\n");
        int n = bytes(input).length;
        List<int[]> chunkings = new ArrayList<>();
        chunkings.add(new int[] {raw.length});
        if (n < 100) {
            chunkings.add(everyByte(raw.length));
            for (int cut = 1; cut < raw.length; cut++) {
                chunkings.add(new int[] {cut, raw.length});
            }
        } else {
            chunkings.add(new int[] {n - 1, n, raw.length});
        }
        for (int[] ends : chunkings) {
            DecoderHarness harness = new DecoderHarness();
            int from = 0;
            for (int end : ends) {
                harness.write(raw, from, end);
                from = end;
            }
            harness.write(bytes("PING\r\n"));
            DecoderHarness.Result result = harness.finish();
            assertEquals(List.of(), result.requests(), "requests decoded from malformed input");
            assertEquals(new ProtocolViolation(message), result.violation());
            assertEquals(0, result.pending());
            assertTrue(harness.decoder.hasFailed());
        }
    }

    @Test
    void reportsAViolationAfterTheRequestsBeforeIt() {
        DecoderHarness.Result result = DecoderHarness.decode(bytes("PING\r\n*1\r\n$4\r\nPING\r\nECHO \"x\r\nPING\r\n"));
        assertEquals(2, result.requests().size());
        assertEquals(new ProtocolViolation(RequestDecoder.UNBALANCED_QUOTES), result.violation());
        assertEquals("-ERR Protocol error: unbalanced quotes in request\r\n", result.violation().redisErrorLine());
    }

    @Test
    void inlineLengthLimitCountsBytesBeforeTheLineFeed() {
        RequestLimits limits = new RequestLimits(100, 100, 16);
        DecoderHarness ok = new DecoderHarness(limits, true);
        ok.write(bytes("ECHO 0123456789\r\n")); // 16 bytes before \n
        assertEquals(List.of("ECHO", "0123456789"), ok.requests.get(0).argStrings());
        ok.write(bytes("0123456789abcdef"));
        assertNull(ok.violation);
        assertEquals(16, ok.finish().pending());

        DecoderHarness tooBig = new DecoderHarness(limits, true);
        tooBig.write(bytes("ECHO 0123456789ab\n")); // 17 bytes before \n
        assertEquals(new ProtocolViolation(RequestDecoder.TOO_BIG_INLINE), tooBig.finish().violation());
    }

    @Test
    void headerLinesMayHold64KiBBeforeTheirCarriageReturn() {
        String digits = "0".repeat(65535);
        DecoderHarness longest = new DecoderHarness();
        longest.write(bytes("*" + digits));
        assertNull(longest.violation);
        longest.write(bytes("\r\n"));
        assertEquals(new ProtocolViolation(RequestDecoder.INVALID_MULTIBULK_LENGTH), longest.finish().violation());

        DecoderHarness tooLong = new DecoderHarness();
        tooLong.write(bytes("*" + digits));
        assertNull(tooLong.violation);
        tooLong.write(bytes("0"));
        assertEquals(new ProtocolViolation(RequestDecoder.TOO_BIG_MBULK_COUNT), tooLong.finish().violation());
    }

    @Test
    void enforcesConfiguredLimits() {
        RequestLimits limits = new RequestLimits(3, 10, 64);
        assertEquals(3, decodeWith(limits, true, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$10\r\n0123456789\r\n").requests().get(0).args().size());
        assertEquals(new ProtocolViolation(RequestDecoder.INVALID_MULTIBULK_LENGTH), decodeWith(limits, true, "*4\r\n").violation());
        assertEquals(new ProtocolViolation(RequestDecoder.INVALID_BULK_LENGTH), decodeWith(limits, true, "*1\r\n$11\r\n").violation());
        assertEquals(new ProtocolViolation(RequestDecoder.INVALID_MULTIBULK_LENGTH), decodeWith(limits, true, "a b c d\r\n").violation());
        RequestLimits huge = new RequestLimits(10, 4L << 30, 64);
        assertEquals(new ProtocolViolation(RequestDecoder.REQUEST_TOO_BIG), decodeWith(huge, true, "*1\r\n$2147483640\r\n").violation());
    }

    @Test
    void appliesRedisLimitsToUnauthenticatedClients() {
        RequestLimits limits = RequestLimits.defaults();
        DecoderHarness.Result ten = decodeWith(limits, false, "*10\r\n");
        assertNull(ten.violation());
        assertEquals(5, ten.pending());
        assertEquals(new ProtocolViolation(RequestDecoder.UNAUTHENTICATED_MULTIBULK), decodeWith(limits, false, "*11\r\n").violation());
        assertEquals(new ProtocolViolation(RequestDecoder.INVALID_MULTIBULK_LENGTH), decodeWith(limits, false, "*2147483648\r\n").violation());
        assertNull(decodeWith(limits, false, "*1\r\n$16384\r\n").violation());
        assertEquals(new ProtocolViolation(RequestDecoder.UNAUTHENTICATED_BULK), decodeWith(limits, false, "*1\r\n$16385\r\n").violation());
        assertEquals(new ProtocolViolation(RequestDecoder.INVALID_BULK_LENGTH), decodeWith(limits, false, "*1\r\n$536870913\r\n").violation());
        // Redis bounds inline requests only by their length.
        assertEquals(1, decodeWith(limits, false, "ECHO " + "a ".repeat(20) + "\r\n").requests().size());
    }

    @Test
    void authenticationTakesEffectForTheNextRequestOfTheSameRead() {
        RequestDecoder decoder = new RequestDecoder(RequestLimits.defaults());
        decoder.setAuthenticated(false);
        List<String> seen = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof CommandFrame frame) {
                    seen.add(frame.argToString(0));
                    if (frame.argEqualsIgnoreCase(0, bytes("AUTH"))) {
                        decoder.setAuthenticated(true);
                    }
                } else {
                    seen.add(msg.toString());
                }
                ReferenceCountUtil.release(msg);
            }
        });
        StringBuilder eleven = new StringBuilder("*11\r\n");
        for (int i = 0; i < 11; i++) {
            eleven.append("$1\r\nx\r\n");
        }
        ByteBuf in = Unpooled.wrappedBuffer(bytes("*2\r\n$4\r\nauth\r\n$1\r\np\r\n" + eleven));
        channel.writeInbound(in);
        assertEquals(List.of("auth", "x"), seen);
        channel.finishAndReleaseAll();
        assertEquals(0, in.refCnt());
    }

    @Test
    void limitsRejectNonPositiveValues() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new RequestLimits(0, 1, 1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new RequestLimits(1, 0, 1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new RequestLimits(1, 1, -1));
        assertEquals(new RequestLimits(1048576, 536870912L, 65536), RequestLimits.defaults());
    }

    private static DecoderHarness.Result decodeWith(RequestLimits limits, boolean authenticated, String input) {
        DecoderHarness harness = new DecoderHarness(limits, authenticated);
        harness.write(bytes(input));
        return harness.finish();
    }

    /**
     * Feeds the concatenated requests in chunks ending at {@code ends}, checking after every chunk that
     * exactly the requests complete so far were emitted and the rest is pending.
     */
    private static void check(List<Req> reqs, int[] ends) {
        byte[] raw = concat(reqs);
        int[] reqEnds = new int[reqs.size()];
        int offset = 0;
        for (int i = 0; i < reqs.size(); i++) {
            offset += reqs.get(i).raw.length;
            reqEnds[i] = offset;
        }
        DecoderHarness harness = new DecoderHarness();
        int from = 0;
        for (int end : ends) {
            harness.write(raw, from, end);
            from = end;
            int done = 0;
            int consumed = 0;
            int emitted = 0;
            int empty = 0;
            while (done < reqs.size() && reqEnds[done] <= end) {
                if (!reqs.get(done).args.isEmpty()) {
                    emitted++;
                } else {
                    empty++;
                }
                consumed = reqEnds[done];
                done++;
            }
            assertEquals(emitted, harness.requests.size(), () -> "requests after " + from(ends) + " in " + reqs);
            assertEquals(empty, harness.emptyRequests, () -> "empty requests after " + from(ends) + " in " + reqs);
            assertEquals(end - consumed, harness.decoder.pendingBytes());
        }
        DecoderHarness.Result result = harness.finish();
        assertNull(result.violation(), () -> "violation for " + reqs);
        assertEquals(0, result.pending());
        int r = 0;
        for (Req req : reqs) {
            if (req.args.isEmpty()) {
                continue;
            }
            DecoderHarness.Decoded decoded = result.requests().get(r++);
            assertEquals(req.args.size(), decoded.args().size(), req::toString);
            for (int i = 0; i < req.args.size(); i++) {
                assertArrayEquals(req.args.get(i), decoded.args().get(i), req::toString);
            }
            assertArrayEquals(multibulk(req.args), decoded.bytes(), req::toString);
            assertEquals(req.raw[0] != '*', decoded.inline());
        }
        assertEquals(r, result.requests().size());
    }

    private static String from(int[] ends) {
        return Arrays.toString(ends.length > 10 ? Arrays.copyOf(ends, 10) : ends);
    }

    private static byte[] concat(List<Req> reqs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Req req : reqs) {
            out.writeBytes(req.raw);
        }
        return out.toByteArray();
    }

    private static int[] everyByte(int n) {
        int[] ends = new int[n];
        for (int i = 0; i < n; i++) {
            ends[i] = i + 1;
        }
        return ends;
    }
}
