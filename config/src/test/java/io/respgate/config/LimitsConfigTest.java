package io.respgate.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connection limits, client timeouts, reply limits and memory bound (issue 7). */
class LimitsConfigTest {
    private static final String SRC = "respgate.yaml";
    private static final String MINIMAL = "upstream: {address: 127.0.0.1:6379}\n";

    private static RespGateConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, SRC, name -> null, Path.of("."));
    }

    private static LimitsConfig limits(String body) throws ConfigException {
        return parse(MINIMAL + "limits:\n" + body.indent(2)).limits();
    }

    private static String fails(String body, String key) {
        ConfigException e = assertThrows(ConfigException.class, () -> limits(body));
        assertTrue(e.getMessage().startsWith(SRC + ": " + key + ": "), e::getMessage);
        assertEquals(Optional.of(key), e.keyPath());
        return e.getMessage();
    }

    @Test
    void defaults() throws Exception {
        LimitsConfig l = limits("");
        assertEquals(10_000, l.maxClients());
        assertEquals(0, l.maxConnectionsPerSource());
        assertEquals(Duration.ofSeconds(10), l.authTimeout());
        assertEquals(Duration.ofSeconds(30), l.requestTimeout());
        assertEquals(Duration.ZERO, l.idleTimeout());
        assertEquals(512, l.maxReplyDepth());
        assertEquals(512L << 20, l.maxReplyBulkLength());
        assertEquals(1L << 30, l.maxReplySize());
        assertEquals(LimitsConfig.AUTO, l.maxBufferedMemory());
        assertEquals(LimitsConfig.defaults(), l);
        assertEquals(Duration.ofSeconds(30), parse(MINIMAL).upstream().commandTimeout());
    }

    @Test
    void everyNewKeySet() throws Exception {
        LimitsConfig l = limits("""
                max_clients: 500
                max_connections_per_source: 20
                auth_timeout: 5s
                request_timeout: 1m
                idle_timeout: 300s
                max_reply_depth: 64
                max_reply_bulk_length: 64mb
                max_reply_size: 128mb
                max_buffered_memory: 2gb
                """);
        assertEquals(new LimitsConfig(LimitsConfig.DEFAULT_MAX_ARGUMENTS, LimitsConfig.DEFAULT_MAX_BULK_LENGTH,
                LimitsConfig.DEFAULT_MAX_INLINE_LENGTH, LimitsConfig.DEFAULT_MAX_PENDING_REPLIES,
                LimitsConfig.DEFAULT_MAX_PENDING_BYTES, LimitsConfig.DEFAULT_DRAIN_TIMEOUT, 500, 20,
                Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofSeconds(300), 64, 64L << 20, 128L << 20,
                2L << 30), l);
        assertEquals(Duration.ofMillis(1500),
                parse("upstream: {address: 127.0.0.1:6379, command_timeout: 1500ms}\n").upstream().commandTimeout());
    }

    @Test
    void zeroTurnsTimeoutsAndThePerSourceLimitOff() throws Exception {
        LimitsConfig l = limits("auth_timeout: 0s\nrequest_timeout: 0ms\nidle_timeout: 0s\nmax_connections_per_source: 0");
        assertEquals(Duration.ZERO, l.authTimeout());
        assertEquals(Duration.ZERO, l.requestTimeout());
        assertEquals(Duration.ZERO, l.idleTimeout());
        assertEquals(0, l.maxConnectionsPerSource());
        assertEquals(Duration.ZERO,
                parse("upstream: {address: 127.0.0.1:6379, command_timeout: 0s}\n").upstream().commandTimeout());
        assertEquals(LimitsConfig.AUTO, limits("max_buffered_memory: auto").maxBufferedMemory());
        assertEquals(LimitsConfig.AUTO, limits("max_buffered_memory: AUTO").maxBufferedMemory());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "max_clients: 0|limits.max_clients|must be an integer between 1 and 1000000, got 0",
            "max_clients: lots|limits.max_clients|must be an integer between 1 and 1000000, got \"lots\"",
            "max_clients: 1000001|limits.max_clients|must be an integer between 1 and 1000000",
            "max_connections_per_source: -1|limits.max_connections_per_source|must be an integer between 0 and 1000000 (0 means no limit), got -1",
            "max_connections_per_source: 11000|limits.max_connections_per_source|more than limits.max_clients (10000)",
            "auth_timeout: 10|limits.auth_timeout|a plain number is ambiguous",
            "request_timeout: 8d|limits.request_timeout|must be a duration with a unit",
            "idle_timeout: 169h|limits.idle_timeout|must be between 0s and 168h",
            "max_reply_depth: 0|limits.max_reply_depth|must be an integer between 1 and 4096",
            "max_reply_size: 2gb|limits.max_reply_size|must be between 1 byte and",
            "max_reply_size: 0|limits.max_reply_size|must be between 1 byte and",
            "max_reply_bulk_length: 1k|limits.max_reply_bulk_length|write kb, mb or gb",
            "max_buffered_memory: 1kb|limits.max_buffered_memory|must be auto or at least 1mb, got \"1kb\"",
            "max_buffered_memory: plenty|limits.max_buffered_memory|must be a size in bytes",
    })
    void badValuesNameTheKey(String body, String key, String expected) {
        String message = fails(body, key);
        assertTrue(message.contains(expected), message);
    }

    @Test
    void replyBulkLengthMustFitTheReplySize() throws Exception {
        assertTrue(fails("max_reply_size: 1mb\nmax_reply_bulk_length: 2mb", "limits.max_reply_bulk_length")
                .contains("larger than limits.max_reply_size (1mb)"));
        assertEquals(1L << 20, limits("max_reply_size: 1mb").maxReplyBulkLength(),
                "the bulk default follows a smaller reply size");
    }

    @Test
    void badCommandTimeoutNamesTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("upstream: {address: 127.0.0.1:6379, command_timeout: -1s}\n"));
        assertTrue(e.getMessage().startsWith(SRC + ": upstream.command_timeout: "), e::getMessage);
    }

    @Test
    void recordRejectsNonsense() {
        LimitsConfig d = LimitsConfig.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withConnectionLimits(0, 0));
        assertThrows(IllegalArgumentException.class, () -> d.withConnectionLimits(1, -1));
        assertThrows(IllegalArgumentException.class, () -> d.withTimeouts(Duration.ofSeconds(-1), Duration.ZERO,
                Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> d.withReplyLimits(1, 1, 1L << 31));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxBufferedMemory(-1));
        assertThrows(IllegalArgumentException.class,
                () -> UpstreamConfig.of("h", 1).withCommandTimeout(Duration.ofMillis(-1)));
    }
}
