package io.respgate.proxy.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starts a real redis-server child when one is installed. */
class RedisChildTest {
    @Test
    void startsAnswersPingAndCleansUp() throws Exception {
        Path binary;
        try {
            binary = RedisChild.locate(Optional.empty(), System.getenv("PATH"));
        } catch (RedisChild.RedisStartException e) {
            Assumptions.abort("redis-server not installed");
            return;
        }
        RedisChild child = RedisChild.start(binary, Duration.ofSeconds(10));
        Path dir = child.directory();
        try {
            assertTrue(child.isAlive());
            assertTrue(RedisChild.ping(child.port()));
        } finally {
            child.close();
        }
        assertFalse(child.isAlive());
        assertFalse(Files.exists(dir));
        assertFalse(RedisChild.ping(child.port()));
        child.close(); // idempotent
    }
}
