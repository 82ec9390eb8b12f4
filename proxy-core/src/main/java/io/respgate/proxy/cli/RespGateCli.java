package io.respgate.proxy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * The {@code respgate} command: {@code run}, {@code demo} and {@code check}.
 *
 * <p>Exit codes: 0 success, 1 runtime failure (e.g. the proxy could not start), 2 bad config or bad
 * command line.
 */
@Command(name = "respgate",
        mixinStandardHelpOptions = true,
        versionProvider = RespGateCli.Version.class,
        description = "A security-enforcing Redis protocol proxy.",
        subcommands = {RunCommand.class, DemoCommand.class, CheckCommand.class, ExplainCommand.class,
                HashPasswordCommand.class, AuditCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:runtime failure", "2:invalid configuration or usage"})
public final class RespGateCli implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_CONFIG = 2;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        LeakDetection.configure();
        int code = new CommandLine(new RespGateCli()).execute(args);
        System.exit(code);
    }

    /** Without a subcommand: show the usage and fail, so scripts notice. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_CONFIG;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = RespGateCli.class.getPackage().getImplementationVersion();
            return new String[] {"respgate " + (version == null ? "(development build)" : version)};
        }
    }
}
