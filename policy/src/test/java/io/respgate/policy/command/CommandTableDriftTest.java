package io.respgate.policy.command;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The generated resource must describe exactly what the live redis-server reports: the same
 * commands and subcommands with the same arity, flags, ACL categories, tips and key specs. Fails when
 * the resource is edited by hand or Redis changes; regenerate with {@code policy/gen-command-table}.
 */
class CommandTableDriftTest {
    private static LiveRedis redis;

    @BeforeAll
    static void start() throws IOException {
        redis = LiveRedis.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void liveServerIsRedis70() throws IOException {
        assertTrue(CommandTableGenerator.redisVersion(redis.client).startsWith("7.0."),
                "the resource describes Redis 7.0; this server is " + CommandTableGenerator.redisVersion(redis.client));
    }

    @Test
    void resourceMatchesLiveServer() throws IOException {
        List<String> live = body(CommandTableGenerator.generate(redis.client));
        String text;
        try (InputStream in = CommandTable.class.getResourceAsStream(CommandTable.REDIS70_RESOURCE)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertSameLines(live, body(text), "resource " + CommandTable.REDIS70_RESOURCE);
    }

    @Test
    void loadedTableMatchesLiveServer() throws IOException {
        List<String> live = body(CommandTableGenerator.generate(redis.client));
        String rendered = CommandTableFormat.write(CommandTable.redis70().commands(), "");
        assertSameLines(live, body(rendered), "CommandTable.redis70()");
        long liveCount = live.stream().filter(l -> l.startsWith("cmd ")).count();
        assertEquals(liveCount, CommandTable.redis70().size());
    }

    private static List<String> body(String text) {
        return text.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    private static void assertSameLines(List<String> live, List<String> actual, String what) {
        int n = Math.min(live.size(), actual.size());
        for (int i = 0; i < n; i++) {
            if (!live.get(i).equals(actual.get(i))) {
                fail(what + " differs from the live server at data line " + (i + 1) + ":\n  live:     "
                        + live.get(i) + "\n  resource: " + actual.get(i)
                        + "\nRegenerate with policy/gen-command-table and review the diff.");
            }
        }
        assertEquals(live.size(), actual.size(), what + ": number of data lines differs from the live server");
    }
}
