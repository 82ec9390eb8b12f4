package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.respgate.codec.DecoderHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
