package io.respgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Feeds chunks to a {@link RequestDecoder} in an {@link EmbeddedChannel} and keeps what came out, copied. */
final class DecoderHarness {
    /** One decoded request, copied out of its frame so the frame can be released at once. */
    record Decoded(List<byte[]> args, byte[] bytes, boolean inline) {
        List<String> argStrings() {
            List<String> strings = new ArrayList<>();
            for (byte[] arg : args) {
                strings.add(new String(arg, StandardCharsets.ISO_8859_1));
            }
            return strings;
        }
    }

    /** The outcome of feeding some input: requests, the violation if any, bytes still pending. */
    record Result(List<Decoded> requests, ProtocolViolation violation, int pending) {
    }

    final RequestDecoder decoder;
    final EmbeddedChannel channel;
    final List<Decoded> requests = new ArrayList<>();
    final List<ByteBuf> written = new ArrayList<>();
    ProtocolViolation violation;
    /** {@link EmptyRequest}s seen so far. */
    int emptyRequests;

    DecoderHarness(RequestLimits limits, boolean authenticated) {
        decoder = new RequestDecoder(limits);
        decoder.setAuthenticated(authenticated);
        channel = new EmbeddedChannel(decoder);
    }

    DecoderHarness() {
        this(RequestLimits.defaults(), true);
    }

    /** Writes one chunk and collects everything it produced. */
    void write(byte[] chunk, int from, int to) {
        ByteBuf buf = Unpooled.buffer(to - from).writeBytes(chunk, from, to - from);
        written.add(buf);
        channel.writeInbound(buf);
        drain();
    }

    void write(byte[] chunk) {
        write(chunk, 0, chunk.length);
    }

    void drain() {
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            if (msg instanceof CommandFrame frame) {
                assertEquals(null, violation, "a request was decoded after a protocol violation");
                requests.add(copy(frame));
                // A frame holds one reference to the buffer it was read into, which other frames share.
                int references = frame.refCnt();
                assertTrue(references >= 1, "a frame must hold a reference to its buffer");
                frame.release();
                assertEquals(references - 1, frame.refCnt());
            } else if (msg == EmptyRequest.INSTANCE) {
                assertEquals(null, violation, "an empty request was decoded after a protocol violation");
                emptyRequests++;
            } else if (msg instanceof ProtocolViolation v) {
                assertEquals(null, violation, "a second protocol violation");
                violation = v;
            } else {
                throw new AssertionError("unexpected message " + msg);
            }
        }
    }

    /** Finishes the channel and checks that every buffer written was released. */
    Result finish() {
        int pending = decoder.pendingBytes();
        assertFalse(channel.finishAndReleaseAll(), "messages left in the channel");
        for (ByteBuf buf : written) {
            assertEquals(0, buf.refCnt(), "an input buffer was not released");
        }
        return new Result(List.copyOf(requests), violation, pending);
    }

    static Result decode(byte[] input) {
        DecoderHarness harness = new DecoderHarness();
        harness.write(input);
        return harness.finish();
    }

    private static Decoded copy(CommandFrame frame) {
        List<byte[]> args = new ArrayList<>();
        ByteBuf bytes = frame.buffer();
        for (int i = 0; i < frame.argCount(); i++) {
            byte[] arg = new byte[frame.argLength(i)];
            bytes.getBytes(frame.argIndex(i), arg);
            args.add(arg);
        }
        byte[] all = new byte[frame.length()];
        bytes.getBytes(frame.start(), all);
        return new Decoded(args, all, frame.isInline());
    }

    /** The canonical multibulk encoding of {@code args}. */
    static byte[] multibulk(List<byte[]> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] arg : args) {
            out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(arg);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }
}
