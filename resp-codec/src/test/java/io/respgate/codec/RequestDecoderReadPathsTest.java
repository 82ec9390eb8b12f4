package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.respgate.codec.RequestDecoderPropertyTest.Outcome;
import io.respgate.codec.testing.RespMutations;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static io.respgate.codec.DecoderHarness.bytes;
import static io.respgate.codec.DecoderHarness.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Issue 6: the decoder reads a short {@code *} or {@code $} line with one 8-byte load when eight bytes
 * are buffered, and byte by byte otherwise; it keeps one argument table and gives each frame a copy.
 * These tests hold the fast reading to the general one, over every kind of buffer Netty may hand in.
 */
class RequestDecoderReadPathsTest {
    /** Bytes that make up or break a header number; lines of up to four of them are all tried. */
    private static final byte[] ALPHABET = bytes("019-+\r\nx");

    /**
     * Every header text of up to four bytes from {@link #ALPHABET}, as a count and as a bulk length, gives
     * the same frames, violation and pending bytes when the line is read at once (the whole input in one
     * buffer: eight or more bytes from the line start) as when its bytes arrive one by one (a line of at
     * most seven bytes with its CR LF is then complete before eight bytes are buffered, so it is read
     * byte-wise); under the default limits, authenticated or not, and under small ones.
     */
    @Test
    void everyShortHeaderLineReadsTheSameAtOnceAsByteByByte() {
        List<byte[]> texts = new ArrayList<>();
        texts.add(new byte[0]);
        for (int length = 1; length <= 4; length++) {
            int combinations = (int) Math.pow(ALPHABET.length, length);
            for (int c = 0; c < combinations; c++) {
                byte[] text = new byte[length];
                for (int i = 0, rest = c; i < length; i++, rest /= ALPHABET.length) {
                    text[i] = ALPHABET[rest % ALPHABET.length];
                }
                texts.add(text);
            }
        }
        // Five digits (the longest line read at once, whichever way it arrives) and six (never read at once).
        for (String text : List.of("99999", "10000", "16384", "16385", "01234", "100000", "999999", "-9999")) {
            texts.add(bytes(text));
        }
        RequestLimits small = new RequestLimits(2, 9, 64);
        List<RequestLimits> limitsCases = List.of(RequestLimits.defaults(), RequestLimits.defaults(), small);
        int compared = 0;
        for (byte[] text : texts) {
            for (byte[] input : List.of(countLine(text), bulkLine(text))) {
                for (int c = 0; c < limitsCases.size(); c++) {
                    RequestLimits limits = limitsCases.get(c);
                    boolean authenticated = c != 1;
                    Outcome atOnce = RequestDecoderPropertyTest.decode(input, limits, authenticated,
                            new int[] {input.length}, true);
                    Outcome byteWise = RequestDecoderPropertyTest.decode(input, limits, authenticated,
                            byteWiseThenRest(input.length, text.length + 8), true);
                    assertEquals(byteWise, atOnce, () -> RespMutations.escape(input) + " with " + limits
                            + ", authenticated " + authenticated);
                    compared++;
                }
            }
        }
        assertEquals(texts.size() * 2 * limitsCases.size(), compared);
    }

    /** Spot checks of what the comparison above relies on: the lines read at once mean what Redis reads. */
    @Test
    void shortHeaderLinesReadAtOnceKeepRedisMeaningAndLimits() {
        String tail = "*1\r\n$4\r\nPING\r\n";
        assertEquals(List.of("x"), firstRequest(decode(RequestLimits.defaults(), true, "*1\r\n$1\r\nx\r\n" + tail)));
        assertEquals(List.of(""), firstRequest(decode(RequestLimits.defaults(), true, "*1\r\n$0\r\n\r\n" + tail)));
        assertEquals(RequestDecoder.INVALID_BULK_LENGTH,
                decode(RequestLimits.defaults(), true, "*1\r\n$00\r\n\r\n" + tail).violation().message());
        assertEquals(RequestDecoder.INVALID_MULTIBULK_LENGTH,
                decode(RequestLimits.defaults(), true, "*01\r\n$1\r\nx\r\n" + tail).violation().message());
        assertEquals(RequestDecoder.UNAUTHENTICATED_MULTIBULK,
                decode(RequestLimits.defaults(), false, "*11\r\n$1\r\nx\r\n" + tail).violation().message());
        assertEquals(RequestDecoder.UNAUTHENTICATED_BULK,
                decode(RequestLimits.defaults(), false, "*1\r\n$16385\r\n" + tail).violation().message());
        assertNull(decode(RequestLimits.defaults(), false, "*1\r\n$16384\r\n" + tail).violation());
        assertEquals(RequestDecoder.INVALID_MULTIBULK_LENGTH,
                decode(new RequestLimits(3, 10, 64), true, "*4\r\n$1\r\nx\r\n" + tail).violation().message());
        assertEquals(RequestDecoder.INVALID_BULK_LENGTH,
                decode(new RequestLimits(3, 10, 64), true, "*1\r\n$11\r\nxxxxxxxxxxx\r\n").violation().message());
        assertEquals(RequestDecoder.CRLF_AFTER_BULK_LENGTH,
                decode(RequestLimits.defaults(), true, "*1\r\n$1\r\rx\r\n" + tail).violation().message());
        assertEquals(RequestDecoder.CRLF_AFTER_MULTIBULK_LENGTH,
                decode(RequestLimits.defaults(), true, "*1\r\r$1\r\nx\r\n" + tail).violation().message());
        assertEquals(RequestDecoder.CRLF_AFTER_BULK,
                decode(RequestLimits.defaults(), true, "*1\r\n$1\r\nxy\r\n" + tail).violation().message());
    }

    /**
     * The same pipeline decodes to the same frames from a heap buffer, a direct buffer, a composite buffer
     * whose components split header lines, and through the composite cumulator fed in small direct chunks;
     * bulks of 99,999 and 100,000 bytes (the longest length read at once and the shortest one that is not)
     * from heap and direct buffers.
     */
    @Test
    void decodesTheSameFromHeapDirectAndCompositeBuffers() {
        List<List<byte[]>> requests = List.of(args("GET", "key:__rand_int__"), args("SET", "k", "v".repeat(1234)),
                args("ECHO", ""), numbered("MSET", 21), numbered("DEL", 9));
        byte[] raw = multibulks(requests);
        Function<byte[], ByteBuf> heap = Unpooled::wrappedBuffer;
        Function<byte[], ByteBuf> direct = b -> Unpooled.directBuffer(b.length).writeBytes(b);
        Function<byte[], ByteBuf> composite = b -> {
            CompositeByteBuf buf = Unpooled.compositeBuffer(Integer.MAX_VALUE);
            for (int at = 0, step = 1; at < b.length; at += step, step = step % 7 + 1) {
                int n = Math.min(step, b.length - at);
                buf.addComponent(true, Unpooled.directBuffer(n).writeBytes(b, at, n));
            }
            return buf;
        };
        for (Function<byte[], ByteBuf> kind : List.of(heap, direct, composite)) {
            assertEquals(strings(requests), decodeWith(raw, kind, null, raw.length));
        }
        for (int chunk : new int[] {1, 3, 5, 8, 13}) {
            assertEquals(strings(requests), decodeWith(raw, direct, ByteToMessageDecoder.COMPOSITE_CUMULATOR, chunk));
        }
        List<List<byte[]>> big = List.of(args("SET", "k", "v".repeat(99_999)), args("SET", "k", "w".repeat(100_000)));
        byte[] bigRaw = multibulks(big);
        for (Function<byte[], ByteBuf> kind : List.of(heap, direct)) {
            assertEquals(strings(big), decodeWith(bigRaw, kind, null, bigRaw.length));
        }
    }

    /**
     * Frames of one read are all decoded before any is looked at; each must keep its own argument table,
     * also when a request has more arguments than the decoder's table held (8 at first), when one has so
     * many that the decoder drops its table afterwards (over 64), and for inline requests.
     */
    @Test
    void framesOfOneReadKeepTheirOwnArgumentTables() {
        List<List<byte[]>> requests = List.of(numbered("DEL", 9), args("GET", "a"), numbered("MSET", 101),
                args("PING"), numbered("SADD", 30), args("SET", "b", "c"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(multibulks(requests));
        out.writeBytes(bytes("ECHO a b c d e f g h i j\r\nECHO z\r\n"));
        EmbeddedChannel channel = new EmbeddedChannel(new RequestDecoder(RequestLimits.defaults()));
        channel.writeInbound(Unpooled.wrappedBuffer(out.toByteArray()));
        List<CommandFrame> frames = new ArrayList<>();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            frames.add((CommandFrame) msg);
        }
        try {
            List<List<String>> expected = new ArrayList<>(strings(requests));
            expected.add(List.of("ECHO", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"));
            expected.add(List.of("ECHO", "z"));
            List<List<String>> decoded = new ArrayList<>();
            for (CommandFrame frame : frames) {
                decoded.add(argStrings(frame));
            }
            assertEquals(expected, decoded);
        } finally {
            frames.forEach(CommandFrame::release);
            channel.finishAndReleaseAll();
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    /** {@code *<text>\r\n} then two bulks and a request, so that eight bytes follow the line start. */
    private static byte[] countLine(byte[] text) {
        return concat(bytes("*"), text, bytes("\r\n$1\r\nx\r\n$1\r\ny\r\n*1\r\n$4\r\nPING\r\n"));
    }

    /** {@code *1\r\n$<text>\r\n} then a one-byte payload and a request. */
    private static byte[] bulkLine(byte[] text) {
        return concat(bytes("*1\r\n$"), text, bytes("\r\nx\r\n*1\r\n$4\r\nPING\r\n"));
    }

    private static DecoderHarness.Result decode(RequestLimits limits, boolean authenticated, String input) {
        DecoderHarness harness = new DecoderHarness(limits, authenticated);
        harness.write(bytes(input));
        return harness.finish();
    }

    private static List<String> firstRequest(DecoderHarness.Result result) {
        assertNull(result.violation());
        return result.requests().get(0).argStrings();
    }

    /**
     * Decodes {@code raw} written in chunks of {@code chunk} bytes, each made by {@code kind}, with
     * {@code cumulator} if not null; checks that every buffer was released.
     */
    private static List<List<String>> decodeWith(byte[] raw, Function<byte[], ByteBuf> kind,
            ByteToMessageDecoder.Cumulator cumulator, int chunk) {
        RequestDecoder decoder = new RequestDecoder(RequestLimits.defaults());
        if (cumulator != null) {
            decoder.setCumulator(cumulator);
        }
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true, true);
        channel.config().setAllocator(allocator);
        List<ByteBuf> written = new ArrayList<>();
        List<List<String>> decoded = new ArrayList<>();
        for (int at = 0; at < raw.length; at += chunk) {
            byte[] part = java.util.Arrays.copyOfRange(raw, at, Math.min(raw.length, at + chunk));
            ByteBuf buf = kind.apply(part);
            written.add(buf);
            channel.writeInbound(buf);
            for (Object msg; (msg = channel.readInbound()) != null; ) {
                CommandFrame frame = (CommandFrame) msg;
                try {
                    decoded.add(argStrings(frame));
                } finally {
                    frame.release();
                }
            }
        }
        assertEquals(0, decoder.pendingBytes());
        channel.finishAndReleaseAll();
        for (ByteBuf buf : written) {
            assertEquals(0, buf.refCnt(), "an input buffer was not released");
        }
        assertEquals(0, allocator.metric().usedHeapMemory() + allocator.metric().usedDirectMemory(),
                "buffers the decoder allocated were not released");
        return decoded;
    }

    private static List<String> argStrings(CommandFrame frame) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < frame.argCount(); i++) {
            args.add(RequestDecoderPropertyTest.latin1(frame.argBytes(i)));
        }
        return args;
    }

    private static List<byte[]> args(String... args) {
        List<byte[]> list = new ArrayList<>();
        for (String arg : args) {
            list.add(bytes(arg));
        }
        return list;
    }

    /** {@code name} and then {@code count - 1} arguments {@code arg1}, {@code arg2}, ... */
    private static List<byte[]> numbered(String name, int count) {
        List<byte[]> list = new ArrayList<>(List.of(bytes(name)));
        for (int i = 1; i < count; i++) {
            list.add(bytes("arg" + i));
        }
        return list;
    }

    private static List<List<String>> strings(List<List<byte[]>> requests) {
        List<List<String>> out = new ArrayList<>();
        for (List<byte[]> request : requests) {
            List<String> args = new ArrayList<>();
            for (byte[] arg : request) {
                args.add(RequestDecoderPropertyTest.latin1(arg));
            }
            out.add(args);
        }
        return out;
    }

    private static byte[] multibulks(List<List<byte[]>> requests) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (List<byte[]> request : requests) {
            out.writeBytes(multibulk(request));
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Chunk ends: one byte at a time for the first {@code first} bytes, then the rest at once. */
    private static int[] byteWiseThenRest(int n, int first) {
        int bytes = Math.min(first, n);
        int[] ends = new int[bytes + (bytes < n ? 1 : 0)];
        for (int i = 0; i < bytes; i++) {
            ends[i] = i + 1;
        }
        ends[ends.length - 1] = n;
        return ends;
    }
}
