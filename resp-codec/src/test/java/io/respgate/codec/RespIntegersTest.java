package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.respgate.codec.DecoderHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespIntegersTest {

    @ParameterizedTest
    @CsvSource({"0,0", "1,1", "-1,-1", "42,42", "9223372036854775807,9223372036854775807",
            "-9223372036854775807,-9223372036854775807", "-9223372036854775808,-9223372036854775807"})
    void acceptsWhatString2llAccepts(String text, long expected) {
        assertEquals(expected, parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "+1", " 1", "1 ", "01", "-0", "00", "1a", "0x10", "9223372036854775808",
            "-9223372036854775809", "100000000000000000000", "--1", "1-"})
    void rejectsWhatString2llRejects(String text) {
        assertEquals(RespIntegers.INVALID, parse(text));
    }

    private static long parse(String text) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes("x" + text + "y"));
        try {
            return RespIntegers.string2ll(buf, 1, 1 + text.length());
        } finally {
            buf.release();
        }
    }

    /**
     * {@link RespIntegers#shortLine} answers only for lines {@code string2ll} reads as a number of one to
     * five digits (no sign), and then with the same value and line end; it reads at the given index, not
     * at the reader index, and needs eight bytes before the writer index.
     */
    @ParameterizedTest
    @CsvSource({"'$0\\r\\n....', 0, 2", "'$1\\r\\n....', 1, 2", "'*42\\r\\n...', 42, 3", "'$99999\\r\\n', 99999, 6",
            "'$10000\\r\\n', 10000, 6", "':7\\r\\n\\r\\n\\r\\n', 7, 2"})
    void readsTheShortFormAtOnce(String line, long value, int cr) {
        byte[] raw = bytes("ab" + line.replace("\\r", "\r").replace("\\n", "\n"));
        ByteBuf buf = Unpooled.wrappedBuffer(raw);
        try {
            buf.readerIndex(1);
            long read = RespIntegers.shortLine(buf, 2, raw[2]);
            assertEquals(value, RespIntegers.shortLineValue(read));
            assertEquals(cr, RespIntegers.shortLineCr(read));
            assertEquals(RespIntegers.NOT_SHORT, RespIntegers.shortLine(buf, 2, (byte) (raw[2] + 1)), "other marker");
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"$\\r\\n.....", "$-1\\r\\n...", "$+1\\r\\n...", "$01\\r\\n...", "$00\\r\\n...", "$ 1\\r\\n...",
            "$1 \\r\\n...", "$1\\r\\r....", "$1\\n\\r....", "$1\\r", "$123456\\r\\n", "$100000\\r\\n", "$12345\\rx",
            "$1x\\r\\n...", "$1\\r\\n"})
    void leavesEverythingElseToTheGeneralReading(String line) {
        byte[] raw = bytes(line.replace("\\r", "\r").replace("\\n", "\n"));
        ByteBuf buf = Unpooled.wrappedBuffer(raw);
        try {
            assertEquals(RespIntegers.NOT_SHORT, RespIntegers.shortLine(buf, 0, (byte) '$'));
        } finally {
            buf.release();
        }
    }

    @Test
    void findsCrLf() {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes("\r\n\n\rx\r"));
        try {
            assertTrue(RespIntegers.crlfAt(buf, 0));
            assertFalse(RespIntegers.crlfAt(buf, 1));
            assertFalse(RespIntegers.crlfAt(buf, 2));
            assertFalse(RespIntegers.crlfAt(buf, 4));
        } finally {
            buf.release();
        }
    }
}
