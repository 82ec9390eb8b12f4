package io.respgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respgate.codec.CommandFrame;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandKindTest {

    @Test
    void everySpecialCommandInAnyCasing() {
        for (CommandKind kind : CommandKind.values()) {
            if (kind == CommandKind.OTHER) {
                continue;
            }
            String name = kind.name();
            assertEquals(kind, of(name));
            assertEquals(kind, of(name.toLowerCase()));
            assertEquals(kind, of(name.charAt(0) + name.substring(1).toLowerCase()));
        }
    }

    @Test
    void lookalikesAreOrdinary() {
        assertEquals(CommandKind.OTHER, of("GET"));
        assertEquals(CommandKind.OTHER, of("QUITE"));
        assertEquals(CommandKind.OTHER, of("EXE"));
        assertEquals(CommandKind.OTHER, of("SUBSCRIBEX"));
        assertEquals(CommandKind.OTHER, of("PUBLISH"));
        assertEquals(CommandKind.OTHER, of("CLIENTS"));
    }

    @Test
    void subscriptionKindsAreTheLastSix() {
        assertTrue(CommandKind.SUNSUBSCRIBE.isSubscription());
        assertTrue(CommandKind.SUBSCRIBE.isSubscription());
        assertFalse(CommandKind.CLIENT.isSubscription());
    }

    private static CommandKind of(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        String raw = "*1\r\n$" + bytes.length + "\r\n" + name + "\r\n";
        ByteBuf buf = Unpooled.copiedBuffer(raw, StandardCharsets.US_ASCII);
        int index = raw.indexOf('\n', 4) + 1;
        CommandFrame frame = new CommandFrame(buf, new int[] {index, bytes.length}, 1, false);
        try {
            return CommandKind.of(frame);
        } finally {
            frame.release();
        }
    }
}
