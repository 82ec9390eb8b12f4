package io.respgate.proxy.posture;

import io.respgate.proxy.json.Json;
import io.respgate.config.ConfigException;
import io.respgate.config.ConfigLoader;
import io.respgate.config.PolicyLoader;
import io.respgate.config.RespGateConfig;
import io.respgate.config.Secret;
import io.respgate.config.UpstreamConfig;
import io.respgate.policy.PolicySnapshot;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The posture check behind {@code respgate audit}: what to audit (a config file, or a Redis URL),
 * who to read Redis's settings as, and the run. Usage problems (a config that does not load, an
 * environment variable that is not set) are {@link ConfigException}s before anything connects;
 * everything found while auditing is a {@link Finding}.
 */
public final class PostureAudit {
    private final UpstreamConfig upstream;
    private final Optional<AuditedConfig> respgate;
    private final Optional<Credentials> inspector;

    private PostureAudit(UpstreamConfig upstream, Optional<AuditedConfig> respgate, Optional<Credentials> inspector) {
        this.upstream = upstream;
        this.respgate = respgate;
        this.inspector = inspector;
    }

    /** Audits the deployment a config file describes: its Redis, with its credentials, and the config itself. */
    public static PostureAudit ofConfig(Path file) throws ConfigException {
        RespGateConfig config = ConfigLoader.load(file);
        if (config.policy().isEmpty()) {
            throw new ConfigException(file.toString(), "policy",
                    "no policy file configured; RespGate refuses to start without one (set policy.file)");
        }
        PolicySnapshot policy = PolicyLoader.load(config.policy().get().file());
        AuditedConfig audited = new AuditedConfig(file, config, policy, config.upstream().passwordFile());
        return new PostureAudit(config.upstream(), Optional.of(audited), Optional.empty());
    }

    /**
     * Audits only Redis, at a URL written like {@code upstream.address}, signing in as {@code user}
     * with the password in the environment variable {@code passwordEnv} (both may be null). The
     * URL goes through the config loader, so the same forms are accepted and a password written
     * into it is refused the same way.
     */
    public static PostureAudit ofUpstream(String url, String user, String passwordEnv, Function<String, String> env)
            throws ConfigException {
        StringBuilder yaml = new StringBuilder("upstream:\n  address: ").append(Json.quote(url)).append('\n');
        if (user != null) {
            yaml.append("  username: ").append(Json.quote(user)).append('\n');
        }
        if (passwordEnv != null) {
            yaml.append("  password_env: ").append(Json.quote(passwordEnv)).append('\n');
        }
        RespGateConfig config;
        try {
            // JSON string literals are YAML double-quoted scalars, so no value can change the document's shape.
            config = ConfigLoader.parse(yaml.toString(), "--upstream", env, Path.of("").toAbsolutePath());
        } catch (ConfigException e) {
            String option = e.keyPath().map(k -> switch (k) {
                case "upstream.username" -> "--user";
                case "upstream.password_env" -> "--password-env";
                default -> "--upstream";
            }).orElse("--upstream");
            throw ConfigException.ofFile(option, e.problem());
        }
        return new PostureAudit(config.upstream(), Optional.empty(), Optional.empty());
    }

    /**
     * Reads Redis's settings as another user (typically an admin), since RespGate's own user should
     * not be allowed CONFIG, ACL or INFO. RespGate's credentials still decide the other checks.
     *
     * @param user        the ACL user; null for {@code default}
     * @param passwordEnv the environment variable holding its password; null for none
     */
    public PostureAudit inspectingAs(String user, String passwordEnv, Function<String, String> env)
            throws ConfigException {
        Optional<Secret> password = Optional.empty();
        if (passwordEnv != null) {
            String value = env.apply(passwordEnv);
            if (value == null || value.isEmpty()) {
                throw ConfigException.ofFile("--inspect-password-env", "the environment variable " + passwordEnv
                        + (value == null ? " is not set" : " is empty"));
            }
            password = Optional.of(Secret.ofUtf8(value));
        }
        Credentials credentials = new Credentials(Credentials.INSPECTOR_ROLE, Optional.ofNullable(user), password);
        return new PostureAudit(upstream, respgate, Optional.of(credentials));
    }

    /** Connects to Redis, runs every check, and returns the findings in report order. */
    public List<Finding> run() {
        Credentials proxy = new Credentials(Credentials.PROXY_ROLE, upstream.username(), upstream.password());
        RedisFacts facts = RedisInspector.inspect(upstream, proxy, inspector);
        return PostureChecks.run(PostureChecks.standard(), new Deployment(upstream, facts, respgate));
    }
}
