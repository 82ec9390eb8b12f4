package io.respgate.proxy.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respgate.codec.CommandFrame;
import io.respgate.config.ConfigException;
import io.respgate.config.ConfigLoader;
import io.respgate.config.PolicyLoader;
import io.respgate.config.RespGateConfig;
import io.respgate.policy.Decision;
import io.respgate.policy.PolicySnapshot;
import io.respgate.policy.PolicyUser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Prints what the policy in a config decides for one user and one command, and the rule that
 * decided. Arguments are never printed back: they may hold a secret.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Show the decision and the deciding rule for one command of one user.",
                "Example: respgate explain --config respgate.yaml --user app -- CONFIG SET dir /tmp"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the command is allowed", "3:the command is denied", "2:invalid configuration or usage"})
final class ExplainCommand implements Callable<Integer> {
    static final int EXIT_DENIED = 3;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The config file.")
    Path config;

    @Option(names = {"-u", "--user"}, required = true, paramLabel = "NAME", description = "The policy user.")
    String user;

    @Parameters(arity = "1..*", paramLabel = "ARG", description = "The command and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PolicySnapshot policy;
        try {
            RespGateConfig loaded = ConfigLoader.load(config);
            if (loaded.policy().isEmpty()) {
                err.println(config + ": policy: no policy file configured");
                err.flush();
                return RespGateCli.EXIT_CONFIG;
            }
            policy = PolicyLoader.load(loaded.policy().get().file());
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.flush();
            return RespGateCli.EXIT_CONFIG;
        }
        PolicyUser subject = policy.user(user);
        if (subject == null) {
            err.println("respgate explain: the policy " + policy.version() + " has no user '" + user + "'");
            err.flush();
            return RespGateCli.EXIT_CONFIG;
        }
        CommandFrame frame = frame(command);
        try {
            Decision decision = policy.decide(subject, frame);
            String name = command.get(0).toLowerCase();
            if (decision.allowed()) {
                out.printf("ALLOW  user '%s', command '%s' (policy %s)%n", user, name, policy.version());
            } else {
                out.printf("DENY   user '%s', command '%s' (policy %s)%n", user, name, policy.version());
                out.printf("  rule:  %s%n", decision.ruleId());
                out.printf("  reply: -%s%n", decision.error());
            }
            if (!subject.enabled()) {
                out.printf("  note:  user '%s' is off: it cannot authenticate at all%n", user);
            }
            out.flush();
            return decision.allowed() ? RespGateCli.EXIT_OK : EXIT_DENIED;
        } finally {
            frame.release();
        }
    }

    /** The command as the decoder would frame it: one multibulk request. */
    static CommandFrame frame(List<String> args) {
        ByteBuf buf = Unpooled.buffer();
        int[] spans = new int[args.size() * 2];
        buf.writeCharSequence("*" + args.size() + "\r\n", StandardCharsets.US_ASCII);
        for (int i = 0; i < args.size(); i++) {
            byte[] bytes = args.get(i).getBytes(StandardCharsets.UTF_8);
            buf.writeCharSequence("$" + bytes.length + "\r\n", StandardCharsets.US_ASCII);
            spans[i * 2] = buf.writerIndex();
            spans[i * 2 + 1] = bytes.length;
            buf.writeBytes(bytes).writeByte('\r').writeByte('\n');
        }
        return new CommandFrame(buf, spans, args.size(), false);
    }
}
