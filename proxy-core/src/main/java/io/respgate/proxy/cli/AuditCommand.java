package io.respgate.proxy.cli;

import io.respgate.config.ConfigException;
import io.respgate.proxy.posture.Finding;
import io.respgate.proxy.posture.PostureAudit;
import io.respgate.proxy.posture.PostureReport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code respgate audit}: checks a deployment against the Redis security checklist and prints one
 * line per finding, or JSON. Public so tests can give it an environment of their own.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Check a deployment against the Redis security checklist: Redis reachable without a",
                "password, protected-mode, bind, requirepass, ACL users, dangerous commands, TLS, data directory",
                "permissions, and RespGate's own config. Prints PASS/WARN/FAIL (and SKIP) with the fix.",
                "Examples: respgate audit --config respgate.yaml",
                "          respgate audit --upstream redis://127.0.0.1:6379 --user app --password-env APP_PW"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every check passed (or was skipped)", "1:at least one WARN",
                "3:at least one FAIL", "2:invalid configuration or usage"})
public final class AuditCommand implements Callable<Integer> {
    /** The worst finding is a WARN. */
    static final int EXIT_WARN = 1;
    /** The worst finding is a FAIL; the same code {@code explain} uses for a denial. */
    static final int EXIT_FAIL = 3;

    private final Function<String, String> env;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
                description = "The config file (respgate.yaml): audits its Redis with its credentials, and the"
                        + " config and policy themselves.")
        Path config;

        @Option(names = "--upstream", required = true, paramLabel = "URL",
                description = "Audit only Redis at this address (host:port or redis[s]://[user@]host[:port]);"
                        + " the config checks are reported as SKIP.")
        String upstream;
    }

    @Option(names = "--user", paramLabel = "NAME",
            description = "With --upstream: the Redis ACL user RespGate signs in as.")
    String user;

    @Option(names = "--password-env", paramLabel = "VAR",
            description = "With --upstream: the environment variable holding that user's password.")
    String passwordEnv;

    @Option(names = "--inspect-user", paramLabel = "NAME",
            description = "Read Redis's CONFIG, ACL LIST and INFO as this (admin) user instead of RespGate's,"
                    + " which should not be allowed them.")
    String inspectUser;

    @Option(names = "--inspect-password-env", paramLabel = "VAR",
            description = "The environment variable holding the --inspect-user password.")
    String inspectPasswordEnv;

    @Option(names = "--json", description = "Print a JSON array of {id, status, finding, fix} objects.")
    boolean json;

    /** Reads the process environment. */
    public AuditCommand() {
        this(System::getenv);
    }

    /** Reads environment variables through {@code env}. */
    public AuditCommand(Function<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PostureAudit audit;
        try {
            audit = audit();
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.flush();
            return RespGateCli.EXIT_CONFIG;
        }
        List<Finding> findings = audit.run();
        out.print(json ? PostureReport.json(findings) : PostureReport.text(findings));
        out.flush();
        return switch (PostureReport.worst(findings)) {
            case PASS, SKIP -> RespGateCli.EXIT_OK;
            case WARN -> EXIT_WARN;
            case FAIL -> EXIT_FAIL;
        };
    }

    private PostureAudit audit() throws ConfigException {
        PostureAudit audit;
        if (target.config != null) {
            if (user != null || passwordEnv != null) {
                throw ConfigException.ofFile("respgate audit", "--user and --password-env go with --upstream; with"
                        + " --config, RespGate's credentials come from the config (use --inspect-user to read"
                        + " Redis's settings as another user)");
            }
            audit = PostureAudit.ofConfig(target.config);
        } else {
            audit = PostureAudit.ofUpstream(target.upstream, user, passwordEnv, env);
        }
        if (inspectUser != null || inspectPasswordEnv != null) {
            audit = audit.inspectingAs(inspectUser, inspectPasswordEnv, env);
        }
        return audit;
    }
}
