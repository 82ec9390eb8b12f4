package io.respgate.proxy.cli;

import io.respgate.config.ConfigException;
import io.respgate.config.ConfigLoader;
import io.respgate.config.PolicyLoader;
import io.respgate.config.RespGateConfig;
import io.respgate.policy.PolicyLint;
import io.respgate.policy.PolicySnapshot;
import io.respgate.proxy.RespGateServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code respgate check --config FILE}: validates the config without starting anything. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Validate a config file, its policy and its TLS files, print the warnings (insecure settings,",
                "policy lint), and exit:",
                "0 if both are valid, 2 with the error if not."})
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The config file (respgate.yaml) to validate.")
    Path config;

    @Override
    public Integer call() {
        PolicySnapshot policy;
        List<String> warnings;
        try {
            RespGateConfig loaded = ConfigLoader.load(config);
            if (loaded.policy().isEmpty()) {
                throw new ConfigException(config.toString(), "policy",
                        "no policy file configured; RespGate refuses to start without one (set policy.file)");
            }
            policy = PolicyLoader.load(loaded.policy().get().file());
            warnings = RespGateServer.check(loaded, policy);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            spec.commandLine().getErr().flush();
            return RespGateCli.EXIT_CONFIG;
        }
        for (String warning : warnings) {
            spec.commandLine().getOut().println("warning: INSECURE: " + warning);
        }
        for (String warning : PolicyLint.lint(policy)) {
            spec.commandLine().getOut().println("warning: " + warning);
        }
        spec.commandLine().getOut().println("OK: " + config + " (policy " + policy.version() + ", "
                + policy.userCount() + " users)");
        spec.commandLine().getOut().flush();
        return RespGateCli.EXIT_OK;
    }
}
