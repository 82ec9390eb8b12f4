package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.respgate.codec.DecoderHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReplyScannerTest {

    /**
     * Issue 6: a number line ({@code : $ * %}) of the short form is read with one 8-byte load when eight
     * bytes are buffered. Every line text of up to four bytes over {@code 019-+\r\nx} scans the same whole
     * (read at once) as byte at a time (a line of at most seven bytes is then read byte-wise) and in random
     * chunks, and agrees with the reference grammar; so do five- and six-digit lengths.
     */
    @Test
    void everyShortNumberLineScansTheSameReadAtOnceAsByteWise() {
        byte[] alphabet = bytes("019-+\r\nx");
        List<String> texts = new ArrayList<>(List.of("", "99999", "10000", "100000", "01234", "-9999"));
        for (int length = 1; length <= 4; length++) {
            int combinations = (int) Math.pow(alphabet.length, length);
            for (int c = 0; c < combinations; c++) {
                StringBuilder text = new StringBuilder();
                for (int i = 0, rest = c; i < length; i++, rest /= alphabet.length) {
                    text.append((char) alphabet[rest % alphabet.length]);
                }
                texts.add(text.toString());
            }
        }
        for (String text : texts) {
            for (char marker : new char[] {':', '$', '*', '%'}) {
                byte[] input = bytes(marker + text + "\r\nxyz\r\n+OK\r\n:1\r\n:2\r\n");
                ReplyScannerPropertyTest.checkSplitsNow(input, 4, 20, text.hashCode());
            }
        }
    }

    static Stream<Arguments> frames() {
        return Stream.of(
                Arguments.of("+OK\r\n", '+'),
                Arguments.of("-ERR unknown command\r\n", '-'),
                Arguments.of(":0\r\n", ':'),
                Arguments.of(":-123\r\n", ':'),
                Arguments.of(":+5\r\n", ':'),
                Arguments.of(":-9223372036854775808\r\n", ':'),
                Arguments.of("$5\r\nhello\r\n", '$'),
                Arguments.of("$0\r\n\r\n", '$'),
                Arguments.of("$-1\r\n", '$'),
                Arguments.of("$6\r\na\r\n\0b\r\r\n", '$'),
                Arguments.of("*-1\r\n", '*'),
                Arguments.of("*0\r\n", '*'),
                Arguments.of("*2\r\n$1\r\na\r\n:1\r\n", '*'),
                Arguments.of("*3\r\n$-1\r\n*-1\r\n_\r\n", '*'),
                Arguments.of("_\r\n", '_'),
                Arguments.of(",3.14\r\n", ','),
                Arguments.of(",-inf\r\n", ','),
                Arguments.of("#t\r\n", '#'),
                Arguments.of("#f\r\n", '#'),
                Arguments.of("!8\r\nERR x\r\ny\r\n", '!'),
                Arguments.of("=8\r\ntxt:abcd\r\n", '='),
                Arguments.of("(12345678901234567890123\r\n", '('),
                Arguments.of("%2\r\n+a\r\n:1\r\n+b\r\n*1\r\n:2\r\n", '%'),
                Arguments.of("%0\r\n", '%'),
                Arguments.of("~2\r\n+a\r\n+b\r\n", '~'),
                Arguments.of(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", '>'),
                Arguments.of("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.5\r\n*2\r\n:1\r\n:2\r\n", '*'),
                Arguments.of("|1\r\n+a\r\n+b\r\n:5\r\n", ':'),
                Arguments.of("|1\r\n+a\r\n+b\r\n|1\r\n+c\r\n+d\r\n$1\r\nx\r\n", '$'),
                Arguments.of("|0\r\n+OK\r\n", '+'),
                Arguments.of("*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n", '*'),
                Arguments.of("*2\r\n:1\r\n|1\r\n+a\r\n*1\r\n+b\r\n~1\r\n#t\r\n", '*'),
                Arguments.of("*1\r\n*1\r\n*1\r\n:1\r\n", '*'),
                Arguments.of("*3\r\n*0\r\n*1\r\n*0\r\n%1\r\n*0\r\n~0\r\n", '*'));
    }

    @ParameterizedTest
    @MethodSource("frames")
    void findsEachFrameAtEverySplit(String frame, char type) {
        byte[] raw = bytes(frame);
        int n = raw.length;
        List<int[]> chunkings = new ArrayList<>();
        chunkings.add(new int[] {n});
        chunkings.add(everyByte(n));
        for (int cut = 1; cut < n; cut++) {
            chunkings.add(new int[] {cut, n});
        }
        for (int[] ends : chunkings) {
            List<Integer> lengths = new ArrayList<>();
            List<Byte> types = new ArrayList<>();
            scan(new ReplyScanner(8, 1024), raw, ends, lengths, types);
            assertEquals(List.of(n), lengths, frame);
            assertEquals(List.of((byte) type), types, frame);
        }
    }

    @Test
    void findsEveryFrameOfAStream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> expectedLengths = new ArrayList<>();
        List<Byte> expectedTypes = new ArrayList<>();
        frames().forEach(args -> {
            byte[] raw = bytes((String) args.get()[0]);
            out.writeBytes(raw);
            expectedLengths.add(raw.length);
            expectedTypes.add((byte) (char) (Character) args.get()[1]);
        });
        byte[] stream = out.toByteArray();
        for (int[] ends : List.of(new int[] {stream.length}, everyByte(stream.length), chunks(stream.length, 7))) {
            List<Integer> lengths = new ArrayList<>();
            List<Byte> types = new ArrayList<>();
            scan(new ReplyScanner(8, 1024), stream, ends, lengths, types);
            assertEquals(expectedLengths, lengths);
            assertEquals(expectedTypes, types);
        }
    }

    @Test
    void findsALargeBulkFedInSmallChunks() {
        int size = 4 * 1024 * 1024;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes("*2\r\n$" + size + "\r\n"));
        out.writeBytes(new byte[size]);
        out.writeBytes(bytes("\r\n+OK\r\n"));
        byte[] raw = out.toByteArray();
        List<Integer> lengths = new ArrayList<>();
        scan(new ReplyScanner(8, size), raw, chunks(raw.length, 1024), lengths, new ArrayList<>());
        assertEquals(List.of(raw.length), lengths);
    }

    @Test
    void enforcesTheDepthLimit() {
        List<Integer> lengths = new ArrayList<>();
        scan(new ReplyScanner(3, 1024), bytes("*1\r\n*1\r\n*1\r\n:1\r\n"), new int[] {16}, lengths, new ArrayList<>());
        assertEquals(List.of(16), lengths);
        assertMalformed(new ReplyScanner(3, 1024), "*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n");
        assertMalformed(new ReplyScanner(3, 1024), "*1\r\n*1\r\n*1\r\n|1\r\n+a\r\n+b\r\n:1\r\n");
        // Empty aggregates open nothing.
        lengths.clear();
        scan(new ReplyScanner(1, 1024), bytes("*1\r\n*0\r\n"), new int[] {8}, lengths, new ArrayList<>());
        assertEquals(List.of(8), lengths);
    }

    @ParameterizedTest
    @ValueSource(strings = {"?\r\n", "x", "\r\n", "$abc\r\n", "$-2\r\n", "$01\r\n", "$?\r\n", "*-2\r\n", "~-1\r\n",
            "%-1\r\n", "!-1\r\n", "$5\r\nhelloXX", "$5\r\nhello\n\r", "+OK\rX", ":abc\r\n", ":\r\n", ":-\r\n",
            ":1.5\r\n", ":99999999999999999999\r\n", "#x\r\n", "#\r\n", "#tt\r\n", "_x\r\n", "$11\r\n",
            "+0123456789ab", ":1234567890123456789012345678901234567890123456789012345678901234567890",
            "*1\r\n;3\r\n", "*2\r\n:1\r\n.\r\n"})
    void rejectsMalformedReplies(String input) {
        assertMalformed(new ReplyScanner(8, 10), input);
    }

    @Test
    void rejectsFramesOver2GiB() {
        assertMalformed(new ReplyScanner(8, 4L << 30), "$2147483647\r\n");
        assertMalformed(new ReplyScanner(8, 4L << 30), "*2\r\n$2147483630\r\n");
    }

    @Test
    void needsMoreBytesWithoutMovingTheReaderIndex() {
        ReplyScanner scanner = new ReplyScanner(8, 1024);
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeBytes(bytes("+O"));
            assertEquals(-1, scanner.nextFrame(buf));
            buf.writeBytes(bytes("K\r"));
            assertEquals(-1, scanner.nextFrame(buf));
            assertEquals(0, buf.readerIndex());
            buf.writeBytes(bytes("\n:1"));
            assertEquals(5, scanner.nextFrame(buf));
            buf.skipBytes(5);
            assertEquals(-1, scanner.nextFrame(buf));
            scanner.reset();
            buf.writeBytes(bytes("\r\n"));
            assertEquals(4, scanner.nextFrame(buf));
            assertEquals(':', scanner.lastFrameType());
        } finally {
            buf.release();
        }
    }

    @Test
    void rejectsBadConstructorArguments() {
        assertThrows(IllegalArgumentException.class, () -> new ReplyScanner(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new ReplyScanner(1, 0));
    }

    private static void assertMalformed(ReplyScanner scanner, String input) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes(input));
        try {
            assertThrows(ReplyProtocolException.class, () -> {
                while (buf.isReadable()) {
                    int length = scanner.nextFrame(buf);
                    if (length < 0) {
                        return;
                    }
                    buf.skipBytes(length);
                }
            }, input);
        } finally {
            buf.release();
        }
    }

    /** Appends the chunks to one buffer, taking every complete frame after each, as a reply handler would. */
    private static void scan(ReplyScanner scanner, byte[] raw, int[] ends, List<Integer> lengths, List<Byte> types) {
        ByteBuf buf = Unpooled.buffer();
        try {
            int from = 0;
            for (int end : ends) {
                buf.writeBytes(raw, from, end - from);
                from = end;
                for (;;) {
                    int reader = buf.readerIndex();
                    int length = scanner.nextFrame(buf);
                    assertEquals(reader, buf.readerIndex(), "nextFrame moved the reader index");
                    if (length < 0) {
                        break;
                    }
                    lengths.add(length);
                    types.add(scanner.lastFrameType());
                    buf.skipBytes(length);
                }
                if (buf.readerIndex() > 4096) {
                    buf.discardReadBytes(); // offsets are relative to the reader index, so this is safe
                }
            }
            assertEquals(0, buf.readableBytes(), "bytes left over");
        } finally {
            buf.release();
        }
    }

    private static int[] everyByte(int n) {
        return chunks(n, 1);
    }

    private static int[] chunks(int n, int size) {
        int[] ends = new int[(n + size - 1) / size];
        for (int i = 0; i < ends.length; i++) {
            ends[i] = Math.min(n, (i + 1) * size);
        }
        return ends;
    }
}
