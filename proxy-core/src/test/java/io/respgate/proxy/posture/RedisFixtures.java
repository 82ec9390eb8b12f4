package io.respgate.proxy.posture;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.Secret;
import io.respgate.config.UpstreamConfig;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** Sets up test Redis servers through the audit's own blocking client. */
final class RedisFixtures {
    private RedisFixtures() {
    }

    /** Runs one command as {@code default} (with {@code password} if not null) and fails the test on an error reply. */
    static Reply call(int port, String password, String... command) throws IOException {
        UpstreamConfig upstream = new UpstreamConfig(RedisProcess.HOST, port, Optional.empty(),
                Optional.ofNullable(password).map(Secret::ofUtf8), Duration.ofSeconds(2));
        RedisLogin.Session session = RedisLogin.signIn(upstream,
                new Credentials("test", Optional.empty(), upstream.password()), Duration.ofSeconds(5));
        if (!session.signedIn()) {
            throw new IOException(session.login().failure());
        }
        try (RedisConnection connection = session.connection()) {
            Reply reply = connection.call(command);
            if (reply instanceof Reply.Error e) {
                throw new IOException("-" + e.text());
            }
            return reply;
        }
    }

    /** One field of {@code INFO server}. */
    static String info(int port, String password, String field) throws IOException {
        String text = Reply.textOf(call(port, password, "INFO", "server"));
        for (String line : text.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        throw new IOException("no " + field + " in INFO server");
    }
}
