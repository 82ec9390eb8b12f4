package io.respgate.proxy.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespGateCliTest {
    @TempDir
    Path tmp;

    private record Result(int exitCode, String out, String err) {
    }

    private static Result execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RespGateCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void checkAcceptsAGoodFile() throws Exception {
        Path file = tmp.resolve("respgate.yaml");
        Files.writeString(tmp.resolve("policy.yaml"), "users:\n  default:\n    acl: \"off\"\n");
        Files.writeString(file, "listen: {address: 127.0.0.1, port: 6380}\nupstream: {address: 127.0.0.1:6379}\n"
                + "policy: {file: policy.yaml}\n");
        Result r = execute("check", "--config", file.toString());
        assertEquals(0, r.exitCode(), r::err);
        assertTrue(r.out().startsWith("OK: " + file + " (policy "), r::out);
        assertEquals("", r.err());
    }

    @Test
    void checkLintsTheExamplePolicy() throws Exception {
        Path examples = Path.of("..", "examples", "respgate.yaml");
        Result r = execute("check", "--config", examples.toString());
        assertEquals(0, r.exitCode(), r::err);
        assertTrue(r.out().contains("warning:"), "the example admin user has +@all, which lint names: " + r.out());
        assertTrue(r.out().contains("5 users"), r::out);
    }

    @Test
    void explainNamesTheDecidingRuleAndNeverEchoesArguments() throws Exception {
        Path examples = Path.of("..", "examples", "respgate.yaml");
        Result denied = execute("explain", "--config", examples.toString(), "--user", "admin",
                "--", "CONFIG", "SET", "dir", "/tmp/secret-path");
        assertEquals(3, denied.exitCode(), denied::err);
        assertTrue(denied.out().contains("rule:  guardrail:config|set dir"), denied::out);
        assertFalse(denied.out().contains("secret-path"), denied::out);

        Result keyDenied = execute("explain", "-c", examples.toString(), "-u", "cache-reader", "--", "SET", "cache:x", "1");
        assertEquals(3, keyDenied.exitCode());
        assertTrue(keyDenied.out().contains("acl:cache-reader"), keyDenied::out);

        Result allowed = execute("explain", "-c", examples.toString(), "-u", "cache-reader", "--", "GET", "cache:x");
        assertEquals(0, allowed.exitCode(), allowed::err);
        assertTrue(allowed.out().startsWith("ALLOW"), allowed::out);

        Result noUser = execute("explain", "-c", examples.toString(), "-u", "nobody", "--", "GET", "k");
        assertEquals(2, noUser.exitCode());
    }

    @Test
    void checkRefusesAPlaintextListenerOnANetworkAddressAndNamesTheSetting() throws Exception {
        Files.writeString(tmp.resolve("policy.yaml"), "users:\n  default:\n    acl: \"off\"\n");
        Path file = tmp.resolve("exposed.yaml");
        Files.writeString(file, "listen: {address: 0.0.0.0, port: 6380}\nupstream: {address: 127.0.0.1:6379}\n"
                + "policy: {file: policy.yaml}\n");
        Result refused = execute("check", "--config", file.toString());
        assertEquals(2, refused.exitCode(), refused::out);
        assertTrue(refused.err().contains("listen.tls: RespGate would listen on 0.0.0.0:6380"), refused::err);
        assertTrue(refused.err().contains("listen.insecure_plaintext: true"), refused::err);

        Files.writeString(file, "listen: {address: 0.0.0.0, port: 6380, insecure_plaintext: true}\n"
                + "upstream: {address: 127.0.0.1:6379}\npolicy: {file: policy.yaml}\n");
        Result accepted = execute("check", "--config", file.toString());
        assertEquals(0, accepted.exitCode(), accepted::err);
        assertTrue(accepted.out().contains("warning: INSECURE: listening on 0.0.0.0:6380 WITHOUT TLS"), accepted::out);
    }

    @Test
    void checkLoadsTheTlsFilesAndReportsABrokenKey() throws Exception {
        io.respgate.proxy.testing.TestPki pki = io.respgate.proxy.testing.TestPki.create(tmp.resolve("pki"), "check");
        io.respgate.proxy.testing.TestPki.Issued server = pki.server("server");
        Files.writeString(tmp.resolve("policy.yaml"), "users:\n  default:\n    acl: \"off\"\n");
        Path file = tmp.resolve("tls.yaml");
        Files.writeString(file, "listen:\n  address: 0.0.0.0\n  tls: {cert_file: " + server.cert() + ", key_file: "
                + server.key() + "}\nupstream: {address: 127.0.0.1:6379}\npolicy: {file: policy.yaml}\n");
        Result ok = execute("check", "--config", file.toString());
        assertEquals(0, ok.exitCode(), ok::err);

        Files.writeString(server.key(), "not a key\n");
        Result broken = execute("check", "--config", file.toString());
        assertEquals(2, broken.exitCode(), broken::out);
        assertTrue(broken.err().contains("listen.tls.key_file: holds no PEM private key"), broken::err);
    }

    @Test
    void checkWithoutAPolicyFails() throws Exception {
        Path file = tmp.resolve("nopolicy.yaml");
        Files.writeString(file, "upstream: {address: 127.0.0.1:6379}\n");
        Result r = execute("check", "--config", file.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("refuses to start without one"), r::err);
    }

    @Test
    void hashPasswordPrintsTheSha256OfStdinWithoutItsNewline() {
        CommandLine cli = new CommandLine(new RespGateCli(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == HashPasswordCommand.class) {
                    return cls.cast(new HashPasswordCommand(new java.io.ByteArrayInputStream("s3cret\n".getBytes())));
                }
                return CommandLine.defaultFactory().create(cls);
            }
        });
        java.io.StringWriter out = new java.io.StringWriter();
        cli.setOut(new java.io.PrintWriter(out));
        assertEquals(0, cli.execute("hash-password"));
        // sha256("s3cret"), computed independently with sha256sum
        assertEquals("1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0", out.toString().strip());
        assertFalse(out.toString().contains("s3cret"));
    }

    @Test
    void checkRejectsABadFileWithExitCode2() throws Exception {
        Path file = tmp.resolve("bad.yaml");
        Files.writeString(file, "listen: {port: abc}\nupstream: {address: 127.0.0.1:6379}\n");
        Result r = execute("check", "-c", file.toString());
        assertEquals(2, r.exitCode());
        assertEquals(file + ": listen.port: must be an integer between 1 and 65535, got \"abc\"",
                r.err().strip());
        assertEquals("", r.out());
    }

    @Test
    void checkReportsAMissingFile() {
        Path file = tmp.resolve("missing.yaml");
        Result r = execute("check", "--config", file.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains(file + ": cannot read the config file: no such file"), r::err);
    }

    @Test
    void checkNeverPrintsTheUpstreamPassword() throws Exception {
        Path file = tmp.resolve("leak.yaml");
        Files.writeString(file, "upstream: {address: 'redis://app:hunter2-secret@127.0.0.1:6379'}\n");
        Result r = execute("check", "--config", file.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("upstream.address: must not contain a password"), r::err);
        assertFalse(r.err().contains("hunter2"), r::err);
    }

    @Test
    void runWithABadConfigExits2BeforeStartingAnything() throws Exception {
        Path file = tmp.resolve("bad.yaml");
        Files.writeString(file, "upstream: {address: 127.0.0.1:6379}\naudit: {keys: hashed}\n");
        Result r = execute("run", "--config", file.toString());
        assertEquals(2, r.exitCode());
        assertEquals(file + ": audit.file: is required: the file the audit log is appended to", r.err().strip());
    }

    @Test
    void runWithoutAPolicyRefusesToStart() throws Exception {
        Path file = tmp.resolve("nopolicy.yaml");
        Files.writeString(file, "listen: {address: 127.0.0.1, port: 1}\nupstream: {address: 127.0.0.1:6379}\n");
        Result r = execute("run", "--config", file.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("refuses to start without one"), r::err);
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        Result r = execute("check");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("Missing required option: '--config=FILE'"), r::err);
    }

    @Test
    void noSubcommandPrintsUsageAndFails() {
        Result r = execute();
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("Usage: respgate"), r::err);
        assertTrue(r.err().contains("run") && r.err().contains("demo") && r.err().contains("check"), r::err);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "run|--config=FILE",
            "check|--config=FILE",
            "demo|--port=PORT",
            "demo|--redis-server=PATH"})
    void helpListsTheOptions(String subcommand, String option) {
        Result r = execute(subcommand, "--help");
        assertEquals(0, r.exitCode(), r::err);
        assertTrue(r.out().contains("Usage: respgate " + subcommand), r::out);
        assertTrue(r.out().contains(option), r::out);
        assertTrue(r.out().contains("--help") && r.out().contains("--version"), r::out);
    }

    @Test
    void topLevelHelpListsSubcommands() {
        Result r = execute("--help");
        assertEquals(0, r.exitCode());
        for (String sub : new String[] {"run", "demo", "check"}) {
            assertTrue(r.out().contains("  " + sub + " "), r::out);
        }
    }

    @Test
    void demoWithANonexistentRedisServerFailsClearly() {
        Result r = execute("demo", "--redis-server", tmp.resolve("no-such-redis").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("not an executable file"), r::err);
    }

    @Test
    void demoRejectsABadPort() {
        Result r = execute("demo", "--port", "70000");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--port must be between 1 and 65535"), r::err);
    }

    @Test
    void redisServerNotOnPathHasAHelpfulMessage() {
        RedisChild.RedisStartException e = assertThrows(RedisChild.RedisStartException.class,
                () -> RedisChild.locate(Optional.empty(), tmp.toString()));
        assertEquals("redis-server not found on PATH; install it (Debian: apt-get install redis-server)"
                + " or pass --redis-server", e.getMessage());
    }
}
