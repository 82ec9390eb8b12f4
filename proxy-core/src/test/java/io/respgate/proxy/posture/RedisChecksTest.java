package io.respgate.proxy.posture;

import io.respgate.config.UpstreamConfig;
import io.respgate.config.UpstreamTlsConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Redis-side checks judged from hand-made facts. */
class RedisChecksTest {
    @Test
    void aPongWithoutCredentialsFails() {
        Facts f = new Facts();
        assertEquals(Status.PASS, f.one(new UnauthenticatedAccessCheck()).status());
        f.anonymousPing = new AnonymousPing(AnonymousPing.Outcome.ANSWERED, "+PONG");
        Finding found = f.one(new UnauthenticatedAccessCheck());
        assertEquals(Status.FAIL, found.status());
        assertTrue(found.finding().contains("Redis is reachable around the proxy without a password"), found::finding);
        f.anonymousPing = new AnonymousPing(AnonymousPing.Outcome.UNREACHABLE, "connection refused");
        assertTrue(f.one(new UnauthenticatedAccessCheck()).finding().startsWith("cannot connect to Redis at"));
    }

    @Test
    void refusedProxyCredentialsFailAndARefusedInspectorWarns() {
        Facts f = new Facts();
        f.proxyLogin = Login.failed(Credentials.PROXY_ROLE, "respgate", "Redis refuses them (-WRONGPASS)");
        f.inspectorLogin = Optional.of(Login.failed(Credentials.INSPECTOR_ROLE, "admin", "refused (-WRONGPASS)"));
        List<Finding> findings = new ProxyLoginCheck().run(f.deployment());
        assertEquals(List.of(Status.FAIL, Status.WARN), findings.stream().map(Finding::status).toList());
    }

    @Test
    void protectedModeOffWarns() {
        Facts f = new Facts();
        assertEquals(Status.PASS, f.one(new ProtectedModeCheck()).status());
        f.protectedMode = Answer.of("no");
        assertEquals(Status.WARN, f.one(new ProtectedModeCheck()).status());
    }

    @Test
    void anUnreadableSettingWarnsAndNamesTheInspectOption() {
        Facts f = new Facts();
        f.protectedMode = Answer.noPermission("NOPERM this user has no permissions to run the 'config|get' command");
        Finding found = f.one(new ProtectedModeCheck());
        assertEquals(Status.WARN, found.status());
        assertTrue(found.finding().startsWith("cannot read CONFIG GET protected-mode: the inspecting Redis user lacks"
                + " permission"), found::finding);
        assertTrue(found.fix().contains("--inspect-user"), found::fix);
        f.protectedMode = Answer.noSession();
        assertEquals(Status.SKIP, f.one(new ProtectedModeCheck()).status());
    }

    @Test
    void bindOnEveryInterfaceOrAPublicAddressWarns() {
        Facts f = new Facts();
        for (String ok : List.of("127.0.0.1 -::1", "10.0.0.5", "192.168.1.2 127.0.0.1", "fd00::1", "100.64.1.1")) {
            f.bind = Answer.of(ok);
            assertEquals(Status.PASS, f.one(new BindAddressCheck()).status(), ok);
        }
        for (String wide : List.of("* -::*", "0.0.0.0", "::", "", "  ", "8.8.8.8", "127.0.0.1 203.0.113.9",
                "redis.example")) {
            f.bind = Answer.of(wide);
            assertEquals(Status.WARN, f.one(new BindAddressCheck()).status(), wide);
        }
    }

    @Test
    void requirepassIsJudgedWithTheDefaultUser() {
        Facts f = new Facts();
        Finding set = f.one(new RequirepassCheck());
        assertEquals(Status.PASS, set.status());
        assertEquals("requirepass is set (value not shown)", set.finding());

        f.requirepassSet = Answer.of(false);
        assertEquals(Status.PASS, f.one(new RequirepassCheck()).status(), "default is off");
        f.aclUsers = Answer.of(List.of(AclUser.parse("user default on nopass ~* +@all")));
        assertEquals(Status.WARN, f.one(new RequirepassCheck()).status());
        f.requirepassSet = Answer.of(true);
        assertEquals(Status.WARN, f.one(new RequirepassCheck()).status(), "a stale requirepass under nopass");
        f.aclUsers = Answer.noPermission("NOPERM");
        assertEquals(Status.PASS, f.one(new RequirepassCheck()).status());
    }

    @Test
    void nopassUsersFailAndAllCommandUsersWarn() {
        Facts f = new Facts();
        assertEquals(Status.PASS, f.one(new NopassUsersCheck()).status());
        assertEquals(Status.PASS, f.one(new AllCommandsUsersCheck()).status());
        f.aclUsers = Answer.of(List.of(AclUser.parse("user open on nopass ~* +@all"),
                AclUser.parse("user old off nopass ~* +@all"),
                AclUser.parse("user admin on #ab ~* +@all")));
        Finding nopass = f.one(new NopassUsersCheck());
        assertEquals(Status.FAIL, nopass.status());
        assertTrue(nopass.finding().contains("'open'") && !nopass.finding().contains("'old'"), nopass::finding);
        Finding all = f.one(new AllCommandsUsersCheck());
        assertEquals(Status.WARN, all.status());
        assertTrue(all.finding().endsWith("'open', 'admin'"), all::finding);
        assertTrue(!all.finding().contains("#ab") && !nopass.finding().contains("#ab"));
    }

    @Test
    void dangerousCommandsAllowedToRespGatesUserWarn() {
        Facts f = new Facts();
        assertEquals(Status.PASS, f.one(new DangerousCommandsCheck()).status());
        f.dangerous = Answer.of(new DangerousCommands("ACL DRYRUN", List.of(
                new DangerousCommands.Result("FLUSHALL", DangerousCommands.Verdict.ALLOWED, ""),
                new DangerousCommands.Result("DEBUG", DangerousCommands.Verdict.UNAVAILABLE, "ERR DEBUG not allowed"))));
        Finding found = f.one(new DangerousCommandsCheck());
        assertEquals(Status.WARN, found.status());
        assertTrue(found.finding().contains("'respgate' may run FLUSHALL"), found::finding);
        assertTrue(found.fix().startsWith("give RespGate's Redis user -@dangerous"), found::fix);
    }

    @Test
    void plaintextToANetworkRedisFailsAndUnverifiedTlsWarns() {
        Facts f = new Facts();
        assertEquals(Status.PASS, f.one(new UpstreamTlsCheck()).status());
        f.upstream = UpstreamConfig.of("10.1.2.3", 6379);
        assertEquals(Status.FAIL, f.one(new UpstreamTlsCheck()).status());
        f.upstream = UpstreamConfig.of("10.1.2.3", 6379).withTls(UpstreamTlsConfig.verifying(Path.of("ca.crt")));
        assertEquals(Status.PASS, f.one(new UpstreamTlsCheck()).status());
        UpstreamTlsConfig unverified = new UpstreamTlsConfig(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), false, false, List.of("TLSv1.3"), List.of(), false);
        f.upstream = UpstreamConfig.of("10.1.2.3", 6379).withTls(unverified);
        assertEquals(Status.WARN, f.one(new UpstreamTlsCheck()).status());
    }

    @Test
    void localOnlyChecksSkipARemoteRedis() {
        Facts f = new Facts();
        f.upstream = UpstreamConfig.of("10.1.2.3", 6379);
        assertEquals(Status.SKIP, f.one(new DataDirPermissionsCheck()).status());
        assertEquals(Status.SKIP, f.one(new RedisRunsAsRootCheck()).status());
    }

    @Test
    void everyStandardCheckReportsSomethingEvenWithoutASession() {
        Facts f = new Facts();
        f.proxyLogin = Login.failed(Credentials.PROXY_ROLE, "respgate", "cannot connect to Redis at 127.0.0.1:6379");
        RedisFacts none = RedisFacts.withoutSession(f.anonymousPing, f.proxyLogin, Optional.empty());
        List<Finding> findings = PostureChecks.run(PostureChecks.standard(),
                new Deployment(f.upstream, none, Optional.empty()));
        List<String> ids = findings.stream().map(Finding::id).distinct().toList();
        assertEquals(PostureChecks.standard().stream().map(PostureCheck::id).toList(), ids);
        assertEquals(Status.FAIL, PostureReport.worst(findings));
    }

    @Test
    void aCheckThatThrowsIsReportedNotFatal() {
        PostureCheck broken = new PostureCheck() {
            @Override
            public String id() {
                return "broken";
            }

            @Override
            public List<Finding> run(Deployment deployment) {
                throw new IllegalStateException("bug");
            }
        };
        List<Finding> findings = PostureChecks.run(List.of(broken), new Facts().deployment());
        assertEquals(Status.WARN, findings.get(0).status());
    }
}
