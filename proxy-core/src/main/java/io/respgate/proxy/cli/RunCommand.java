package io.respgate.proxy.cli;

import io.respgate.config.ConfigException;
import io.respgate.config.ConfigLoader;
import io.respgate.config.RespGateConfig;
import io.respgate.proxy.RespGateServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code respgate run --config FILE}: runs the proxy until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the proxy with the given config until SIGTERM or Ctrl-C. On shutdown it stops accepting,"
                + " lets in-flight replies drain for up to limits.drain_timeout, and exits 0.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The config file (respgate.yaml).")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        RespGateConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            spec.commandLine().getErr().flush();
            return RespGateCli.EXIT_CONFIG;
        }
        RespGateServer server;
        try {
            server = RespGateServer.start(loaded);
        } catch (InterruptedException e) {
            throw e;
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            spec.commandLine().getErr().flush();
            return RespGateCli.EXIT_CONFIG;
        } catch (Exception e) {
            log.error("the proxy could not start", e);
            spec.commandLine().getErr().println("respgate: the proxy could not start on "
                    + loaded.listen().address() + ":" + loaded.listen().port() + ": " + e);
            spec.commandLine().getErr().flush();
            return RespGateCli.EXIT_FAILURE;
        }
        ServerLifecycle.runUntilStopped(server, () -> { });
        return RespGateCli.EXIT_OK;
    }
}
