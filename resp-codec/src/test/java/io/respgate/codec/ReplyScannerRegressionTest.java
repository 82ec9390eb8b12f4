package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.respgate.codec.DecoderHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Inputs that {@link ReplyScannerPropertyTest} found mis-framed, kept as plain examples. */
class ReplyScannerRegressionTest {

    /**
     * A map or attribute count of 2^62 or more made {@code count * 2} wrap around, so the scanner took
     * the aggregate to hold 0, 1 or 2 elements (the low 32 bits of the wrapped product) and framed a
     * reply of the wrong length, where it must refuse the count.
     */
    @ParameterizedTest
    @ValueSource(strings = {"%4611686018427387904\r\n:1\r\n:2\r\n", "%4611686018427387905\r\n:1\r\n:2\r\n:3\r\n",
            "%9223372036854775807\r\n:1\r\n:2\r\n", "|4611686018427387904\r\n:1\r\n+v\r\n",
            "*1\r\n%4611686018427387904\r\n:1\r\n:2\r\n"})
    void aPairCountWhoseDoubleOverflowsIsRefused(String input) {
        ReplyScanner scanner = new ReplyScanner(8, 1024);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes(input));
        try {
            assertThrows(ReplyProtocolException.class, () -> scanner.nextFrame(buf), input);
        } finally {
            buf.release();
        }
    }
}
