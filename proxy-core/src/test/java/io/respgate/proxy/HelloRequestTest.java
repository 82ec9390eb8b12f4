package io.respgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.respgate.codec.CommandFrame;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** HELLO is read as Redis 7.0's helloCommand reads it; the texts were taken from a live server. */
class HelloRequestTest {

    @Test
    void versionsAndOptions() {
        assertEquals(new HelloRequest(0, -1, null, null), parse("HELLO"));
        assertEquals(new HelloRequest(3, -1, null, null), parse("HELLO", "3"));
        assertEquals(new HelloRequest(3, 2, null, null), parse("HELLO", "3", "AUTH", "u", "p"));
        assertEquals(new HelloRequest(2, 4, null, null), parse("hello", "2", "setname", "n", "auth", "u", "p"));
    }

    @Test
    void errorsAsRedisWordsThem() {
        assertEquals("ERR Protocol version is not an integer or out of range", parse("HELLO", "x").error());
        assertEquals("ERR Protocol version is not an integer or out of range", parse("HELLO", "03").error());
        assertEquals("NOPROTO unsupported protocol version", parse("HELLO", "4").error());
        assertEquals("ERR Syntax error in HELLO option 'AUTH'", parse("HELLO", "3", "AUTH", "onlyuser").error());
        assertEquals("ERR Syntax error in HELLO option 'bogus'", parse("HELLO", "3", "bogus").error());
        assertNull(parse("HELLO", "3", "SETNAME", "x").error());
    }

    /** Redis refuses the name after authentication, and then does not switch the protocol. */
    @Test
    void aNameRedisRefusesIsKnownBeforeItIsSent() {
        assertNull(parse("HELLO", "3", "SETNAME", "app-1:~!").nameError());
        assertNull(parse("HELLO", "3", "SETNAME", "").nameError(), "an empty name clears the name");
        for (String bad : new String[] {"a b", "a\nb", "\u00e9", "tab\t", "\u007f"}) {
            HelloRequest hello = parse("HELLO", "3", "SETNAME", bad);
            assertNull(hello.error(), bad);
            assertEquals(HelloRequest.BAD_NAME, hello.nameError(), bad);
        }
        assertEquals(HelloRequest.BAD_NAME, parse("HELLO", "3", "SETNAME", "ok", "SETNAME", "not ok").nameError(),
                "the last SETNAME counts");
        assertNull(parse("HELLO", "3", "SETNAME", "not ok", "SETNAME", "ok").nameError());
    }

    @Test
    void theForwardedHelloHasNoCredentials() {
        CommandFrame frame = frame("HELLO", "3", "AUTH", "user", "pass", "SETNAME", "app");
        HelloRequest hello = HelloRequest.parse(frame);
        ByteBuf out = hello.withoutAuth(ByteBufAllocator.DEFAULT, frame);
        try {
            assertEquals("*4\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$7\r\nSETNAME\r\n$3\r\napp\r\n",
                    out.toString(StandardCharsets.ISO_8859_1));
        } finally {
            out.release();
            frame.release();
        }
    }

    private static HelloRequest parse(String... args) {
        CommandFrame frame = frame(args);
        try {
            return HelloRequest.parse(frame);
        } finally {
            frame.release();
        }
    }

    private static CommandFrame frame(String... args) {
        ByteBuf buf = Unpooled.buffer();
        int[] spans = new int[args.length * 2];
        buf.writeCharSequence("*" + args.length + "\r\n", StandardCharsets.US_ASCII);
        for (int i = 0; i < args.length; i++) {
            buf.writeCharSequence("$" + args[i].length() + "\r\n", StandardCharsets.US_ASCII);
            spans[i * 2] = buf.writerIndex();
            spans[i * 2 + 1] = args[i].length();
            buf.writeCharSequence(args[i] + "\r\n", StandardCharsets.US_ASCII);
        }
        return new CommandFrame(buf, spans, args.length, false);
    }
}
