package io.respgate.proxy.signals;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.Secret;
import io.respgate.config.UpstreamConfig;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.respgate.proxy.signals.Waiting.counter;
import static io.respgate.proxy.signals.Waiting.gauge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** One watch against a real Redis, checked step by step with {@code checkNow()}. */
class UpstreamWatchTest {
    static final String ADMIN_PASSWORD = "watch-admin-secret-3";
    static final String WATCHER_PASSWORD = "watch-user-secret-4";

    @TempDir
    Path dir;

    RedisProcess redis;
    RawConnection admin;
    final MeterRegistry registry = new SimpleMeterRegistry();
    final Recording sink = new Recording();

    static final class Recording implements SignalSink {
        final List<Bypass> bypasses = new CopyOnWriteArrayList<>();
        final List<Drift> drifts = new CopyOnWriteArrayList<>();

        @Override
        public void bypass(Bypass bypass) {
            bypasses.add(bypass);
        }

        @Override
        public void drift(Drift drift) {
            drifts.add(drift);
        }
    }

    @BeforeEach
    void startRedis() throws Exception {
        assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        // Protected configs on, so the test can move dir as an attacker with CONFIG SET would.
        redis = RedisProcess.start("--requirepass", ADMIN_PASSWORD, "--enable-protected-configs", "yes");
        admin = new RawConnection(redis.port());
        assertEquals("+OK\r\n", admin.call("AUTH", ADMIN_PASSWORD));
    }

    @AfterEach
    void stopRedis() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    UpstreamWatch watchAs(String user, String password) {
        UpstreamConfig upstream = new UpstreamConfig(RedisProcess.HOST, redis.port(), Optional.ofNullable(user),
                Optional.of(Secret.ofUtf8(password)), Duration.ofSeconds(2))
                .withWatch(UpstreamConfig.Watch.every(Duration.ofSeconds(1), List.of()));
        return UpstreamWatch.unscheduled(upstream, new UpstreamChannels(), registry, sink);
    }

    @Test
    void theSinkHearsOfBypassesAndOfADirectConfigSetDir() throws Exception {
        try (UpstreamWatch watch = watchAs(null, ADMIN_PASSWORD)) {
            watch.checkNow(); // the admin connection is young: a candidate; the baseline is taken
            assertEquals(List.of(), sink.bypasses);
            watch.checkNow();
            assertEquals(1, sink.bypasses.size(), "the admin connection bypasses the (absent) proxy");
            SignalSink.Bypass b = sink.bypasses.get(0);
            assertEquals("127.0.0.1:" + admin.socket().getLocalPort(), b.address());
            assertEquals("default", b.user());
            assertEquals("auth", b.command());
            assertEquals(1.0, gauge(registry, WatchMetrics.BYPASS_CONNECTIONS), "never its own connection");

            Path elsewhere = dir.toRealPath();
            assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "dir", elsewhere.toString()));
            watch.checkNow();
            assertEquals(1, sink.bypasses.size(), "reported once");
            assertEquals(1, sink.drifts.size(), () -> sink.drifts.toString());
            SignalSink.Drift d = sink.drifts.get(0);
            assertEquals("dir", d.setting());
            assertEquals(elsewhere.toString(), d.to());
            assertFalse(d.from().equals(d.to()));
            assertEquals(1.0, counter(registry, WatchMetrics.DRIFT, "setting", "dir"));
            assertEquals(3.0, Waiting.checks(registry));
        }
    }

    @Test
    void requirepassIsOnlySetOrNotSetAndPasswordChangesShowWithoutValues() throws Exception {
        assertEquals("+OK\r\n", admin.call("ACL", "SETUSER", "watcher", "on", ">" + WATCHER_PASSWORD, "~*", "&*",
                "+@all"));
        try (LogCapture logs = new LogCapture(); UpstreamWatch watch = watchAs("watcher", WATCHER_PASSWORD)) {
            assertEquals("+OK\r\n", admin.call("ACL", "SETUSER", "app", "on", ">app-pw-one", "~app:*", "+get"));
            watch.checkNow();
            assertEquals("+OK\r\n", admin.call("ACL", "SETUSER", "app", "resetpass", ">app-pw-two"));
            watch.checkNow();
            assertEquals(List.of("app"), sink.drifts.get(0).usersChanged());
            assertEquals(1, logs.messages(Level.WARN, "changed app (passwords changed)").size(), logs::all);
            // Redis 7: requirepass is the default user's password; changing it is a change of that user.
            assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "requirepass", ""));
            watch.checkNow();
            assertEquals(1, logs.messages(Level.WARN, "Redis setting requirepass changed from \"set\" to \"not set\"")
                    .size(), logs::all);
            String all = logs.all();
            for (String secret : List.of(ADMIN_PASSWORD, WATCHER_PASSWORD, "app-pw-one", "app-pw-two",
                    UpstreamWatchServerTest.sha256(ADMIN_PASSWORD), UpstreamWatchServerTest.sha256("app-pw-one"))) {
                assertFalse(all.contains(secret), "the log leaks a secret");
            }
        }
    }

    @Test
    void aUserWithoutClientListIsWarnedOnceAndCountedEveryTime() throws Exception {
        assertEquals("+OK\r\n", admin.call("ACL", "SETUSER", "watcher", "on", ">" + WATCHER_PASSWORD, "~*", "&*",
                "+@all", "-client|list"));
        try (LogCapture logs = new LogCapture(); UpstreamWatch watch = watchAs("watcher", WATCHER_PASSWORD)) {
            watch.checkNow();
            watch.checkNow();
            watch.checkNow();
            assertEquals(3.0, counter(registry, WatchMetrics.ERRORS, "reason", "no_permission", "command", "client_list"));
            List<String> warnings = logs.messages(Level.WARN, "Redis refuses CLIENT LIST to RespGate's user 'watcher'"
                    + " (-NOPERM)");
            assertEquals(1, warnings.size(), logs::all);
            assertTrue(warnings.get(0).contains("give RespGate's Redis user +client|list +config|get +acl|list, or set"
                    + " upstream.watch.enabled: false"), warnings.get(0));
            assertEquals(3.0, Waiting.checks(registry), "the drift detector still runs");
            assertEquals(1, logs.messages(Level.INFO, "baseline of Redis's security settings").size());

            assertEquals("+OK\r\n", admin.call("ACL", "SETUSER", "watcher", "+client|list"));
            watch.checkNow();
            assertEquals(1, logs.messages(Level.INFO, "CLIENT LIST works again").size(), logs::all);
            assertEquals(3.0, counter(registry, WatchMetrics.ERRORS, "reason", "no_permission", "command", "client_list"));
            assertEquals("+OK\r\n", admin.call("ACL", "SETUSER", "watcher", "-config|get", "-acl|list"));
            watch.checkNow();
            watch.checkNow();
            assertEquals(1, logs.messages(Level.WARN, "Redis refuses CONFIG GET").size(), logs::all);
            assertEquals(1, logs.messages(Level.WARN, "Redis refuses ACL LIST").size(), logs::all);
            assertEquals(2.0, counter(registry, WatchMetrics.ERRORS, "reason", "no_permission", "command", "config_get"));
            assertEquals(1.0, counter(registry, WatchMetrics.DRIFT, "setting", "acl"),
                    "granting +client|list changed watcher's rules; later changes are unreadable");
            assertFalse(logs.all().contains(WATCHER_PASSWORD));
        }
    }

    @Test
    void itsOwnConnectionIsNeverABypassEvenWithoutClientId() throws Exception {
        assertEquals("+OK\r\n", admin.call("ACL", "SETUSER", "watcher", "on", ">" + WATCHER_PASSWORD, "~*", "&*",
                "+@all", "-client|id"));
        admin.close();
        admin = null;
        try (UpstreamWatch watch = watchAs("watcher", WATCHER_PASSWORD)) {
            for (int i = 0; i < 3; i++) {
                watch.checkNow();
            }
            assertEquals(0.0, gauge(registry, WatchMetrics.BYPASS_CONNECTIONS));
            assertEquals(List.of(), sink.bypasses);
            assertEquals(3.0, Waiting.checks(registry));
        }
    }

    @Test
    void wrongCredentialsAreOneWarningWithoutThePassword() throws Exception {
        try (LogCapture logs = new LogCapture(); UpstreamWatch watch = watchAs("nobody", WATCHER_PASSWORD)) {
            watch.checkNow();
            watch.checkNow();
            assertEquals(2.0, counter(registry, WatchMetrics.ERRORS, "reason", "sign_in", "command", "none"));
            assertEquals(1, logs.messages(Level.WARN, "upstream watch: ", "WRONGPASS").size(), logs::all);
            assertEquals(0.0, Waiting.checks(registry));
            assertFalse(logs.all().contains(WATCHER_PASSWORD));
        }
    }
}
