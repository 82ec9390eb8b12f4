package io.respgate.config;

import io.respgate.policy.PolicySnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyWatcherTest {
    private static final String V1 = "users:\n  a: {acl: 'on nopass +@all'}\n";
    private static final String V2 = "users:\n  a: {acl: 'on nopass +@all'}\n  b: {acl: 'on nopass +get'}\n";
    private static final String V3 = "users:\n  c: {acl: 'on nopass +get'}\n";
    private static final String INVALID = "users:\n  a: {acl: 'on nopass +nosuch'}\n";

    @TempDir
    Path tmp;

    @Test
    void editsSwapAndInvalidFilesKeepTheOldPolicy() throws Exception {
        Path file = Files.writeString(tmp.resolve("policy.yaml"), V1);
        PolicySnapshot initial = PolicyLoader.load(file);
        BlockingQueue<PolicySnapshot> swaps = new LinkedBlockingQueue<>();
        BlockingQueue<String> errors = new LinkedBlockingQueue<>();
        try (PolicyWatcher w = PolicyWatcher.start(file, initial, Duration.ofMillis(50), swaps::add, errors::add)) {
            Files.writeString(file, V2);
            PolicySnapshot s = swaps.poll(10, TimeUnit.SECONDS);
            assertNotNull(s, "no reload after an edit");
            assertEquals(2, s.userCount());

            Files.writeString(file, INVALID);
            String error = errors.poll(10, TimeUnit.SECONDS);
            assertNotNull(error, "no error for an invalid file");
            assertTrue(error.startsWith(file + ": users.a.acl: "), error);
            assertTrue(error.endsWith("(the previous policy stays in force)"), error);
            assertNull(swaps.poll(300, TimeUnit.MILLISECONDS));

            // An editor writing a new file and renaming it over the old one.
            Path temp = Files.writeString(tmp.resolve(".policy.yaml.swp"), V3);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            s = swaps.poll(10, TimeUnit.SECONDS);
            assertNotNull(s, "no reload after a rename");
            assertEquals(1, s.userCount());
            assertNotNull(s.user("c"));

            // Unchanged content is not reloaded by the watch, but reloadNow always reloads.
            Files.writeString(file, V3);
            assertNull(swaps.poll(500, TimeUnit.MILLISECONDS));
            assertTrue(w.reloadNow());
            assertEquals(1, swaps.poll(1, TimeUnit.SECONDS).userCount());
            Files.writeString(file, INVALID);
            errors.clear();
            Thread.sleep(300);
            errors.clear();
            assertFalse(w.reloadNow());
            assertNotNull(errors.poll(1, TimeUnit.SECONDS));
        }
    }

    @Test
    void callbacksThatThrowDoNotStopTheWatcher() throws Exception {
        Path file = Files.writeString(tmp.resolve("policy.yaml"), V1);
        BlockingQueue<String> errors = new LinkedBlockingQueue<>();
        BlockingQueue<PolicySnapshot> swaps = new LinkedBlockingQueue<>();
        int[] calls = {0};
        try (PolicyWatcher w = PolicyWatcher.start(file, null, Duration.ofMillis(50), s -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("boom");
            }
            swaps.add(s);
        }, errors::add)) {
            Files.writeString(file, V2);
            assertNotNull(errors.poll(10, TimeUnit.SECONDS));
            Files.writeString(file, V3);
            assertNotNull(swaps.poll(10, TimeUnit.SECONDS));
        }
        Files.writeString(file, V1);
        assertNull(swaps.poll(300, TimeUnit.MILLISECONDS), "closed watchers do not reload");
    }
}
