package io.respgate.proxy.cli;

import io.respgate.policy.PasswordHashing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * Reads a secret on standard input and prints the {@code #<sha256>} hash to put in a policy file.
 * The secret is never an argument, so it stays out of shell history and process listings.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = {"Read a password on standard input and print its SHA-256 hash for the policy file.",
                "One trailing newline is ignored. Use it in an acl string as #<hash>."})
final class HashPasswordCommand implements Callable<Integer> {
    private static final int MAX_SECRET = 64 * 1024;

    @Spec
    CommandSpec spec;

    private final InputStream in;

    HashPasswordCommand() {
        this(System.in);
    }

    HashPasswordCommand(InputStream in) {
        this.in = in;
    }

    @Override
    public Integer call() throws IOException {
        byte[] secret = in.readNBytes(MAX_SECRET + 1);
        try {
            if (secret.length > MAX_SECRET) {
                spec.commandLine().getErr().println("respgate: the password is longer than 64 KiB");
                return RespGateCli.EXIT_CONFIG;
            }
            int length = secret.length;
            if (length > 0 && secret[length - 1] == '\n') {
                length--;
                if (length > 0 && secret[length - 1] == '\r') {
                    length--;
                }
            }
            if (length == 0) {
                spec.commandLine().getErr().println("respgate: no password on standard input");
                return RespGateCli.EXIT_CONFIG;
            }
            byte[] password = Arrays.copyOf(secret, length);
            spec.commandLine().getOut().println(PasswordHashing.sha256Hex(password));
            Arrays.fill(password, (byte) 0);
            return RespGateCli.EXIT_OK;
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }
}
