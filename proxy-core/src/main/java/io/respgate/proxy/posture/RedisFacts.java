package io.respgate.proxy.posture;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What was learned from Redis, gathered once before the checks run (by {@link RedisInspector}).
 *
 * @param anonymousPing     PING without credentials
 * @param proxyLogin        whether RespGate's own credentials sign in
 * @param inspectorLogin    whether the {@code --inspect-user} credentials sign in, when given
 * @param protectedMode     {@code CONFIG GET protected-mode}
 * @param bind              {@code CONFIG GET bind}
 * @param requirepassSet    whether {@code CONFIG GET requirepass} is non-empty (the value is dropped at once)
 * @param dir               {@code CONFIG GET dir}
 * @param aclUsers          {@code ACL LIST}, without password hashes
 * @param processId         {@code process_id} from {@code INFO server}
 * @param dangerousCommands which dangerous commands RespGate's Redis user may run
 */
record RedisFacts(AnonymousPing anonymousPing, Login proxyLogin, Optional<Login> inspectorLogin,
                  Answer<String> protectedMode, Answer<String> bind, Answer<Boolean> requirepassSet,
                  Answer<String> dir, Answer<List<AclUser>> aclUsers, Answer<Long> processId,
                  Answer<DangerousCommands> dangerousCommands) {
    RedisFacts {
        Objects.requireNonNull(anonymousPing, "anonymousPing");
        Objects.requireNonNull(proxyLogin, "proxyLogin");
        Objects.requireNonNull(inspectorLogin, "inspectorLogin");
        Objects.requireNonNull(protectedMode, "protectedMode");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(requirepassSet, "requirepassSet");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(aclUsers, "aclUsers");
        Objects.requireNonNull(processId, "processId");
        Objects.requireNonNull(dangerousCommands, "dangerousCommands");
    }

    /** Facts when no session signed in: every answer is {@link Answer.Kind#NO_SESSION}. */
    static RedisFacts withoutSession(AnonymousPing anonymousPing, Login proxyLogin, Optional<Login> inspectorLogin) {
        return new RedisFacts(anonymousPing, proxyLogin, inspectorLogin, Answer.noSession(), Answer.noSession(),
                Answer.noSession(), Answer.noSession(), Answer.noSession(), Answer.noSession(), Answer.noSession());
    }
}
