package io.respgate.proxy.posture;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplyReaderTest {
    private static Reply read(String wire) throws IOException {
        return new ReplyReader(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8))).read();
    }

    @Test
    void readsEveryRespTwoType() throws IOException {
        assertEquals(new Reply.Simple("OK"), read("+OK\r\n"));
        Reply.Error error = (Reply.Error) read("-NOPERM this user has no permissions\r\n");
        assertEquals("NOPERM", error.code());
        assertTrue(error.noPermission());
        assertEquals(new Reply.Number(-42), read(":-42\r\n"));
        assertEquals("dir", ((Reply.Bulk) read("$3\r\ndir\r\n")).text());
        assertNull(((Reply.Bulk) read("$-1\r\n")).bytes());
        assertNull(((Reply.Array) read("*-1\r\n")).items());
        Reply.Array array = (Reply.Array) read("*2\r\n$3\r\ndir\r\n$4\r\n/tmp\r\n");
        assertEquals(List.of("dir", "/tmp"), array.items().stream().map(Reply::textOf).toList());
    }

    @Test
    void neverTrustsALengthOrCountFromTheWire() {
        assertThrows(IOException.class, () -> read("$999999999999\r\n"));
        assertThrows(IOException.class, () -> read("*99999999\r\n"));
        assertThrows(IOException.class, () -> read("$-2\r\n"));
        assertThrows(IOException.class, () -> read("$abc\r\n"));
    }

    @Test
    void refusesDeepNestingTruncationAndBadFraming() {
        assertThrows(IOException.class, () -> read("*1\r\n".repeat(ReplyReader.MAX_DEPTH + 1) + ":1\r\n"));
        assertThrows(IOException.class, () -> read("$5\r\nab"));
        assertThrows(IOException.class, () -> read("$2\r\nabXY"));
        assertThrows(IOException.class, () -> read("+OK\rX"));
        assertThrows(IOException.class, () -> read("HTTP/1.1 400 Bad Request\r\n"));
        assertThrows(IOException.class, () -> read(""));
    }

    @Test
    void describesRepliesWithoutTheirContents() throws IOException {
        assertEquals("a bulk string", Reply.describe(read("$6\r\nsecret\r\n")));
        assertInstanceOf(Reply.Array.class, read("*0\r\n"));
    }
}
