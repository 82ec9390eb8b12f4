package io.respgate.proxy.cli;

import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.proxy.RespGateServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code respgate demo}: a private redis-server child on a free loopback port with the proxy in
 * front of it, until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start a private redis-server on a free loopback port, put the proxy in front of it, and"
                + " print how to connect. Ctrl-C stops both; nothing is persisted.")
final class DemoCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);
    private static final Duration REDIS_READY_TIMEOUT = Duration.ofSeconds(10);

    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "6380",
            description = "Port the proxy listens on, on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--redis-server", paramLabel = "PATH",
            description = "The redis-server executable to run (default: redis-server found on PATH).")
    Path redisServer;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (port < 1 || port > 65535) {
            err.println("respgate demo: --port must be between 1 and 65535, got " + port);
            err.flush();
            return RespGateCli.EXIT_CONFIG;
        }
        RedisChild redis;
        try {
            Path binary = RedisChild.locate(Optional.ofNullable(redisServer), System.getenv("PATH"));
            redis = RedisChild.start(binary, REDIS_READY_TIMEOUT);
        } catch (RedisChild.RedisStartException e) {
            err.println("respgate demo: " + e.getMessage());
            err.flush();
            return RespGateCli.EXIT_FAILURE;
        }
        RespGateConfig config = new RespGateConfig(
                new ListenConfig("127.0.0.1", port),
                UpstreamConfig.of("127.0.0.1", redis.port()),
                LimitsConfig.defaults());
        DemoPolicy policy = DemoPolicy.generate();
        RespGateServer server;
        try {
            server = RespGateServer.start(config, policy.snapshot());
        } catch (Exception e) {
            redis.close();
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            log.debug("the proxy could not start", e);
            err.println("respgate demo: the proxy could not start on 127.0.0.1:" + port + ": " + e
                    + (port == 6380 ? " (is something else on port 6380? try --port)" : ""));
            err.flush();
            return RespGateCli.EXIT_FAILURE;
        } catch (Error e) {
            redis.close();
            throw e;
        }
        InetSocketAddress bound = server.boundAddress();
        out.println();
        out.println("RespGate demo is running.");
        out.printf("  redis-server  127.0.0.1:%d  (pid %d; private child, nothing persisted)%n",
                redis.port(), redis.pid());
        out.printf("  RespGate      %s:%d  -> forwards to 127.0.0.1:%d%n",
                bound.getAddress().getHostAddress(), bound.getPort(), redis.port());
        out.println();
        out.printf("Connect with:   redis-cli -p %d --user %s --pass %s%n", bound.getPort(), DemoPolicy.APP_USER,
                policy.appPassword());
        out.printf("  user %-6s   ~* &* +@all -@dangerous   (try: SET k v, GET k, then FLUSHALL or CONFIG SET dir /tmp)%n",
                DemoPolicy.APP_USER);
        out.printf("  user %-6s   read-only on cache:*       (password: %s)%n", DemoPolicy.READER_USER,
                policy.readerPassword());
        out.println("  Without AUTH every command is refused (-NOAUTH). These passwords are made for this run only.");
        out.println("Stop with:      Ctrl-C");
        out.println();
        out.flush();
        ServerLifecycle.runUntilStopped(server, redis::close);
        out.println("RespGate demo stopped.");
        out.flush();
        return RespGateCli.EXIT_OK;
    }
}
