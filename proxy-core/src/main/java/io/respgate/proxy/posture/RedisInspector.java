package io.respgate.proxy.posture;

import io.respgate.config.UpstreamConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Gathers {@link RedisFacts}: one anonymous connection, RespGate's own session, and optionally a
 * session of an admin user ({@code --inspect-user}) that reads what RespGate's user should not be
 * allowed to read. Only read commands are sent, and dangerous ones only as {@code ACL DRYRUN}
 * questions or inside a discarded {@code MULTI}.
 */
final class RedisInspector {
    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private RedisInspector() {
    }

    /**
     * @param proxy     RespGate's credentials
     * @param inspector credentials of a user to read CONFIG and ACL with; empty: RespGate's own
     */
    static RedisFacts inspect(UpstreamConfig upstream, Credentials proxy, Optional<Credentials> inspector) {
        AnonymousPing anonymous = AnonymousProbe.ping(upstream, READ_TIMEOUT);
        RedisLogin.Session proxySession = RedisLogin.signIn(upstream, proxy, READ_TIMEOUT);
        RedisLogin.Session inspectSession = inspector.isPresent()
                ? RedisLogin.signIn(upstream, inspector.get(), READ_TIMEOUT) : proxySession;
        Optional<Login> inspectorLogin = inspector.isPresent() ? Optional.of(inspectSession.login()) : Optional.empty();
        try {
            if (!inspectSession.signedIn() && !proxySession.signedIn()) {
                return RedisFacts.withoutSession(anonymous, proxySession.login(), inspectorLogin);
            }
            RedisConnection reader = inspectSession.connection();
            // Reads first: the dangerous-command probe may leave a broken connection behind.
            Settings settings = reader == null ? Settings.NONE : Settings.read(reader);
            Answer<DangerousCommands> dangerous = DangerousCommandProbe.probe(reader, proxySession.connection(),
                    proxy.effectiveUser());
            return new RedisFacts(anonymous, proxySession.login(), inspectorLogin, settings.protectedMode(),
                    settings.bind(), settings.requirepassSet(), settings.dir(), settings.aclUsers(),
                    settings.processId(), dangerous);
        } finally {
            close(proxySession);
            if (inspectSession != proxySession) {
                close(inspectSession);
            }
        }
    }

    /** What the inspecting session reads; every answer NO_SESSION without one. */
    private record Settings(Answer<String> protectedMode, Answer<String> bind, Answer<Boolean> requirepassSet,
                            Answer<String> dir, Answer<List<AclUser>> aclUsers, Answer<Long> processId) {
        static final Settings NONE = new Settings(Answer.noSession(), Answer.noSession(), Answer.noSession(),
                Answer.noSession(), Answer.noSession(), Answer.noSession());

        static Settings read(RedisConnection c) {
            // Qualified: the record's accessors hide the outer methods of the same names.
            return new Settings(configValue(c, "protected-mode"), configValue(c, "bind"),
                    RedisInspector.requirepassSet(c), configValue(c, "dir"), RedisInspector.aclUsers(c),
                    RedisInspector.processId(c));
        }
    }

    /** {@code CONFIG GET name} answers {@code [name, value]}, or an empty array for an unknown name. */
    static Answer<String> configValue(RedisConnection connection, String name) {
        return config(connection, name, bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** Only whether it is set: the value is a password, and is overwritten as soon as it is read. */
    static Answer<Boolean> requirepassSet(RedisConnection connection) {
        return config(connection, "requirepass", bytes -> {
            boolean set = bytes.length > 0;
            Arrays.fill(bytes, (byte) 0);
            return set;
        });
    }

    private static <T> Answer<T> config(RedisConnection connection, String name,
                                        Function<byte[], T> convert) {
        String what = "CONFIG GET " + name;
        Reply reply;
        try {
            reply = connection.call("CONFIG", "GET", name);
        } catch (IOException e) {
            return Answer.error(what + " failed: " + Failures.reason(e));
        }
        Answer<Reply> checked = checked(reply);
        if (!checked.known()) {
            return new Answer<>(null, checked.kind(), checked.reason());
        }
        if (reply instanceof Reply.Array a && a.items() != null && a.items().size() == 2
                && a.items().get(1) instanceof Reply.Bulk b && b.bytes() != null) {
            return Answer.of(convert.apply(b.bytes()));
        }
        return Answer.error("Redis has no " + name + " setting");
    }

    /** {@code ACL LIST}: one line per user. Redis before 6 has no ACLs: an error answer says so. */
    static Answer<List<AclUser>> aclUsers(RedisConnection connection) {
        Reply reply;
        try {
            reply = connection.call("ACL", "LIST");
        } catch (IOException e) {
            return Answer.error("ACL LIST failed: " + Failures.reason(e));
        }
        Answer<Reply> checked = checked(reply);
        if (!checked.known()) {
            return new Answer<>(null, checked.kind(), checked.reason());
        }
        if (!(reply instanceof Reply.Array a) || a.items() == null) {
            return Answer.error("unexpected reply to ACL LIST: " + Reply.describe(reply));
        }
        List<AclUser> users = new ArrayList<>();
        for (Reply item : a.items()) {
            String line = Reply.textOf(item);
            try {
                users.add(AclUser.parse(line == null ? "" : line));
            } catch (IllegalArgumentException e) {
                return Answer.error("unexpected line in ACL LIST");
            }
        }
        return Answer.of(List.copyOf(users));
    }

    /** {@code process_id} from {@code INFO server}, to find Redis among this host's processes. */
    static Answer<Long> processId(RedisConnection connection) {
        Reply reply;
        try {
            reply = connection.call("INFO", "server");
        } catch (IOException e) {
            return Answer.error("INFO server failed: " + Failures.reason(e));
        }
        Answer<Reply> checked = checked(reply);
        if (!checked.known()) {
            return new Answer<>(null, checked.kind(), checked.reason());
        }
        String text = Reply.textOf(reply);
        if (text != null) {
            for (String line : text.split("\r?\n")) {
                if (line.startsWith("process_id:")) {
                    try {
                        return Answer.of(Long.parseLong(line.substring("process_id:".length()).trim()));
                    } catch (NumberFormatException e) {
                        break;
                    }
                }
            }
        }
        return Answer.error("INFO server has no process_id");
    }

    /** An error reply as an unknown answer; anything else as the reply. */
    private static Answer<Reply> checked(Reply reply) {
        if (reply instanceof Reply.Error e) {
            String text = Text.shorten(e.text());
            return e.noPermission() ? Answer.noPermission(text) : Answer.error("Redis answered -" + text);
        }
        return Answer.of(reply);
    }

    private static void close(RedisLogin.Session session) {
        if (session.signedIn()) {
            RedisLogin.close(session.connection());
        }
    }
}
