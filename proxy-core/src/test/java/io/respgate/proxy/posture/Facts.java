package io.respgate.proxy.posture;

import io.respgate.config.Secret;
import io.respgate.config.UpstreamConfig;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Hand-made facts for testing the checks without Redis: a healthy deployment, changed one field at a time. */
final class Facts {
    AnonymousPing anonymousPing = new AnonymousPing(AnonymousPing.Outcome.REFUSED, "-NOAUTH");
    Login proxyLogin = Login.ok(Credentials.PROXY_ROLE, "respgate");
    Optional<Login> inspectorLogin = Optional.empty();
    Answer<String> protectedMode = Answer.of("yes");
    Answer<String> bind = Answer.of("127.0.0.1 -::1");
    Answer<Boolean> requirepassSet = Answer.of(true);
    Answer<String> dir = Answer.of("/nonexistent/respgate-audit-test");
    Answer<List<AclUser>> aclUsers = Answer.of(List.of(
            AclUser.parse("user default off ~* +@all"),
            AclUser.parse("user respgate on #ab ~* &* +@all -@dangerous")));
    Answer<Long> processId = Answer.error("not asked");
    Answer<DangerousCommands> dangerous = Answer.of(new DangerousCommands("ACL DRYRUN", List.of(
            new DangerousCommands.Result("FLUSHALL", DangerousCommands.Verdict.DENIED, ""))));
    UpstreamConfig upstream = new UpstreamConfig("127.0.0.1", 6379, Optional.of("respgate"),
            Optional.of(Secret.ofUtf8("pw")), Duration.ofSeconds(1));

    RedisFacts facts() {
        return new RedisFacts(anonymousPing, proxyLogin, inspectorLogin, protectedMode, bind, requirepassSet, dir,
                aclUsers, processId, dangerous);
    }

    Deployment deployment() {
        return new Deployment(upstream, facts(), Optional.empty());
    }

    Deployment deployment(AuditedConfig config) {
        return new Deployment(upstream, facts(), Optional.of(config));
    }

    /** The single finding of {@code check}. */
    Finding one(PostureCheck check) {
        List<Finding> findings = check.run(deployment());
        if (findings.size() != 1) {
            throw new AssertionError("expected one finding, got " + findings);
        }
        return findings.get(0);
    }
}
