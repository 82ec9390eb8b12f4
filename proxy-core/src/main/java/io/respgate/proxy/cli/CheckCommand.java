package io.respgate.proxy.cli;

import io.respgate.config.ConfigException;
import io.respgate.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code respgate check --config FILE}: validates the config without starting anything. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a config file and exit: 0 if it is valid, 2 with the error if not.")
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The config file (respgate.yaml) to validate.")
    Path config;

    @Override
    public Integer call() {
        try {
            ConfigLoader.load(config);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            spec.commandLine().getErr().flush();
            return RespGateCli.EXIT_CONFIG;
        }
        spec.commandLine().getOut().println("OK: " + config);
        spec.commandLine().getOut().flush();
        return RespGateCli.EXIT_OK;
    }
}
