package io.respgate.proxy.posture;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.UpstreamConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The checks that look at this host: Redis's data directory and the user Redis runs as. */
class LocalFileChecksTest {
    @TempDir
    Path tmp;

    @Test
    void aWorldWritableDirFailsAGroupWritableOneWarns() throws Exception {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Facts f = new Facts();
        f.dir = Answer.of(data.toString());
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        assertEquals(Status.PASS, f.one(new DataDirPermissionsCheck()).status());
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwx---"));
        assertEquals(Status.WARN, f.one(new DataDirPermissionsCheck()).status());
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        Finding open = f.one(new DataDirPermissionsCheck());
        assertEquals(Status.FAIL, open.status());
        assertTrue(open.finding().contains("rwxrwxrwx"), open::finding);
    }

    @Test
    void aDirThatIsNotOnThisHostCannotBeInspected() {
        Facts f = new Facts();
        f.dir = Answer.of(tmp.resolve("missing").toString());
        Finding found = f.one(new DataDirPermissionsCheck());
        assertEquals(Status.WARN, found.status());
        assertTrue(found.finding().startsWith("cannot inspect"), found::finding);
    }

    @Test
    void theOwnerComesFromProcOnlyForARedisServer() throws Exception {
        Path proc = tmp.resolve("proc");
        Path redis = Files.createDirectories(proc.resolve("42"));
        Files.writeString(redis.resolve("comm"), "redis-server\n");
        Files.writeString(redis.resolve("status"), "Name:\tredis-server\nUid:\t1000\t999\t999\t999\n");
        assertEquals(Answer.of(999), ProcessOwner.effectiveUid(proc, 42));
        Files.writeString(redis.resolve("comm"), "sshd\n");
        assertEquals(Answer.Kind.ERROR, ProcessOwner.effectiveUid(proc, 42).kind());
        assertEquals(Answer.Kind.ERROR, ProcessOwner.effectiveUid(proc, 43).kind());
    }

    @Test
    void redisRunningAsRootWarns() throws Exception {
        assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc");
        try (RedisProcess redis = RedisProcess.start()) {
            long pid = Long.parseLong(RedisFixtures.info(redis.port(), null, "process_id"));
            Facts f = new Facts();
            f.upstream = UpstreamConfig.of(RedisProcess.HOST, redis.port());
            f.processId = Answer.of(pid);
            Finding found = f.one(new RedisRunsAsRootCheck());
            boolean root = "root".equals(System.getProperty("user.name"));
            assertEquals(root ? Status.WARN : Status.PASS, found.status(), found::finding);
        }
    }
}
