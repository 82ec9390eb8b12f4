package io.respgate.proxy.posture;

import io.respgate.proxy.json.Json;
import io.respgate.codec.testing.RedisProcess;
import io.respgate.policy.PasswordHashing;
import io.respgate.proxy.cli.AuditCommand;
import io.respgate.proxy.cli.RespGateCli;
import io.respgate.proxy.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Issue 5, posture check: {@code respgate audit} end to end, against real redis-server processes on loopback. */
class AuditCommandTest {
    static final String PROXY_PASSWORD = "proxy-Secret-7f3a91";
    static final String ADMIN_PASSWORD = "admin-Secret-c0ffee42";

    @TempDir
    Path tmp;

    private record Result(int exitCode, String out, String err) {
        /** Check id to the statuses of its lines, in order. */
        Map<String, List<String>> statuses() {
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (String line : this.out.split("\n")) {
                String[] parts = line.split("  ", 3);
                assertTrue(parts.length == 3 && Set.of("PASS", "WARN", "FAIL", "SKIP").contains(parts[0]),
                        "not a report line: " + line);
                out.computeIfAbsent(parts[1], k -> new ArrayList<>()).add(parts[0]);
            }
            return out;
        }

        String status(String id) {
            List<String> all = statuses().get(id);
            assertTrue(all != null && all.size() == 1, id + " should have one line: " + out);
            return all.get(0);
        }

        String line(String id) {
            for (String line : out.split("\n")) {
                if (line.split("  ", 3)[1].equals(id)) {
                    return line;
                }
            }
            throw new AssertionError("no line for " + id + " in\n" + out);
        }

        void assertNeverShows(String... secrets) {
            for (String secret : secrets) {
                assertFalse(out.contains(secret) || err.contains(secret), "a secret was printed:\n" + out + err);
            }
        }
    }

    @BeforeAll
    static void redisAvailable() {
        assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
    }

    private static Result audit(Function<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AuditCommand(env));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static Result audit(String... args) {
        return audit(Map.<String, String>of()::get, args);
    }

    /** A config file for Redis at {@code address}, with RespGate's password in a file only its owner reads. */
    private Path config(String address, String user, String extraUpstream) throws IOException {
        Path password = tmp.resolve("redis.pw");
        Files.writeString(password, PROXY_PASSWORD + "\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(tmp.resolve("policy.yaml"), ConfigChecksTest.CLOSED_POLICY);
        Path file = tmp.resolve("respgate.yaml");
        Files.writeString(file, "listen: {address: 127.0.0.1, port: 6380}\n"
                + "upstream:\n  address: \"" + address + "\"\n  username: " + user + "\n  password_file: redis.pw\n"
                + extraUpstream + "policy: {file: policy.yaml}\n");
        return file;
    }

    /** Redis with an admin password on {@code default} and RespGate's own user without @dangerous. */
    private static RedisProcess lockedDownRedis(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--requirepass", ADMIN_PASSWORD));
        args.addAll(List.of(extra));
        RedisProcess redis = RedisProcess.start(args.toArray(new String[0]));
        RedisFixtures.call(redis.port(), ADMIN_PASSWORD, "ACL", "SETUSER", "respgate", "on", ">" + PROXY_PASSWORD,
                "~*", "&*", "+@all", "-@dangerous");
        return redis;
    }

    @Test
    void redisWithoutAPasswordFailsWithExitCodeThree() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            Result r = audit("--upstream", "127.0.0.1:" + redis.port());
            assertEquals(3, r.exitCode(), r.out());
            assertTrue(r.line("redis-auth-required").startsWith("FAIL  redis-auth-required  Redis at 127.0.0.1:"
                    + redis.port() + " answers PING without any credential: Redis is reachable around the proxy"
                    + " without a password  fix: "), r.out());
            assertTrue(r.line("redis-acl-nopass").startsWith("FAIL  redis-acl-nopass  ACL users that need no"
                    + " password: 'default'"), r.out());
            assertEquals("WARN", r.status("redis-dangerous-commands"), "default may FLUSHALL");
            for (String id : List.of("respgate-listener-tls", "respgate-anonymous-access", "respgate-guardrails",
                    "respgate-policy-lint", "respgate-secret-files")) {
                assertEquals("SKIP", r.status(id));
            }
            assertEquals("", r.err());
        }
    }

    @Test
    void aLockedDownDeploymentPassesAndSaysWhatItCouldNotRead() throws Exception {
        try (RedisProcess redis = lockedDownRedis()) {
            Path config = config("127.0.0.1:" + redis.port(), "respgate", "");
            Result r = audit("--config", config.toString());
            for (String id : List.of("redis-auth-required", "redis-login", "redis-tls", "redis-dangerous-commands",
                    "respgate-listener-tls", "respgate-anonymous-access", "respgate-guardrails",
                    "respgate-secret-files")) {
                assertEquals("PASS", r.status(id), r.out());
            }
            assertTrue(r.line("redis-dangerous-commands").contains("'respgate' is refused FLUSHALL, CONFIG SET dir,"
                    + " MODULE LOAD"), r.out());
            assertTrue(r.line("redis-dangerous-commands").contains("MULTI probe"), r.out());
            assertTrue(r.line("redis-protected-mode").startsWith("WARN  redis-protected-mode  cannot read CONFIG GET"
                    + " protected-mode: the inspecting Redis user lacks permission"), r.out());
            assertEquals(1, r.exitCode(), r.out());
            r.assertNeverShows(PROXY_PASSWORD, ADMIN_PASSWORD);
        }
    }

    @Test
    void anAdminInspectorReadsTheSettingsAndNoSecretIsEverPrinted() throws Exception {
        try (RedisProcess redis = lockedDownRedis()) {
            Path config = config("127.0.0.1:" + redis.port(), "respgate", "");
            Result r = audit(Map.of("ADMIN_PW", ADMIN_PASSWORD)::get, "--config", config.toString(),
                    "--inspect-user", "default", "--inspect-password-env", "ADMIN_PW");
            for (String id : List.of("redis-protected-mode", "redis-bind", "redis-requirepass", "redis-acl-nopass",
                    "redis-dir-permissions", "redis-dangerous-commands")) {
                assertEquals("PASS", r.status(id), r.out());
            }
            assertEquals(List.of("PASS", "PASS"), r.statuses().get("redis-login"));
            assertEquals("PASS  redis-requirepass  requirepass is set (value not shown)", r.line("redis-requirepass"));
            assertTrue(r.line("redis-dangerous-commands").contains("ACL DRYRUN"), r.out());
            assertTrue(r.line("redis-acl-all-commands").startsWith("WARN  redis-acl-all-commands  ACL users that may"
                    + " run every command (+@all): 'default'"), r.out());
            assertEquals(1, r.exitCode(), r.out());

            Result json = audit(Map.of("ADMIN_PW", ADMIN_PASSWORD)::get, "--config", config.toString(),
                    "--inspect-user", "default", "--inspect-password-env", "ADMIN_PW", "--json");
            for (Result each : List.of(r, json)) {
                each.assertNeverShows(PROXY_PASSWORD, ADMIN_PASSWORD,
                        PasswordHashing.sha256Hex(PROXY_PASSWORD.getBytes(StandardCharsets.UTF_8)),
                        PasswordHashing.sha256Hex(ADMIN_PASSWORD.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    @Test
    void jsonOutputIsAnArrayOfFindings() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            Result r = audit("--upstream", "redis://127.0.0.1:" + redis.port(), "--json");
            assertEquals(3, r.exitCode());
            List<Map<String, String>> findings = StrictJson.arrayOfObjects(r.out());
            List<String> ids = new ArrayList<>();
            for (Map<String, String> f : findings) {
                assertEquals(Set.of("id", "status", "finding", "fix"), f.keySet());
                assertTrue(Set.of("PASS", "WARN", "FAIL", "SKIP").contains(f.get("status")), f::toString);
                assertFalse(f.get("finding").isEmpty());
                assertEquals(f.get("status").equals("WARN") || f.get("status").equals("FAIL"),
                        !f.get("fix").isEmpty(), f::toString);
                if (!ids.contains(f.get("id"))) {
                    ids.add(f.get("id"));
                }
            }
            assertEquals(PostureChecks.standard().stream().map(PostureCheck::id).toList(), ids);
            assertTrue(findings.contains(Map.of("id", "redis-protected-mode", "status", "PASS",
                    "finding", "protected-mode is yes", "fix", "")), r.out());
        }
    }

    @Test
    void aWorldWritableDataDirFails() throws Exception {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (RedisProcess redis = RedisProcess.start("--dir", data.toString())) {
            Result r = audit("--upstream", "127.0.0.1:" + redis.port());
            assertTrue(r.line("redis-dir-permissions").startsWith("FAIL  redis-dir-permissions  Redis's dir " + data
                    + " is writable by every user on this host"), r.out());
            assertEquals(3, r.exitCode());
        }
    }

    @Test
    void nopassUsersAndAProxyUserAllowedDangerousCommandsAreFound() throws Exception {
        try (RedisProcess redis = RedisProcess.start("--requirepass", ADMIN_PASSWORD)) {
            RedisFixtures.call(redis.port(), ADMIN_PASSWORD, "ACL", "SETUSER", "open", "on", "nopass", "~*", "+get");
            RedisFixtures.call(redis.port(), ADMIN_PASSWORD, "ACL", "SETUSER", "respgate", "on",
                    ">" + PROXY_PASSWORD, "~*", "+@all");
            Map<String, String> env = Map.of("PROXY_PW", PROXY_PASSWORD, "ADMIN_PW", ADMIN_PASSWORD);
            Result r = audit(env::get, "--upstream", "127.0.0.1:" + redis.port(), "--user", "respgate",
                    "--password-env", "PROXY_PW", "--inspect-password-env", "ADMIN_PW");
            assertTrue(r.line("redis-acl-nopass").startsWith("FAIL  redis-acl-nopass  ACL users that need no"
                    + " password: 'open' (on nopass"), r.out());
            assertTrue(r.line("redis-dangerous-commands").startsWith("WARN  redis-dangerous-commands  RespGate's"
                    + " Redis user 'respgate' may run FLUSHALL, CONFIG SET dir, MODULE LOAD, DEBUG, REPLICAOF"), r.out());
            assertTrue(r.line("redis-dangerous-commands").contains("fix: give RespGate's Redis user -@dangerous"));
            assertTrue(r.line("redis-acl-all-commands").contains("'default', 'respgate'"), r.out());
            assertEquals(3, r.exitCode());
            r.assertNeverShows(PROXY_PASSWORD, ADMIN_PASSWORD);
        }
    }

    @Test
    void theMultiProbeNeverRunsTheCommands() throws Exception {
        try (RedisProcess redis = RedisProcess.start("--requirepass", ADMIN_PASSWORD)) {
            RedisFixtures.call(redis.port(), ADMIN_PASSWORD, "SET", "survivor", "1");
            RedisFixtures.call(redis.port(), ADMIN_PASSWORD, "ACL", "SETUSER", "respgate", "on",
                    ">" + PROXY_PASSWORD, "~*", "+@all", "-acl");
            Result r = audit(Map.of("PROXY_PW", PROXY_PASSWORD)::get, "--upstream", "127.0.0.1:" + redis.port(),
                    "--user", "respgate", "--password-env", "PROXY_PW");
            assertTrue(r.line("redis-dangerous-commands").contains("may run FLUSHALL, CONFIG SET dir, REPLICAOF"
                    + " (asked with a MULTI probe"), r.out());
            assertEquals("1", Reply.textOf(RedisFixtures.call(redis.port(), ADMIN_PASSWORD, "GET", "survivor")));
            String dir = ((Reply.Array) RedisFixtures.call(redis.port(), ADMIN_PASSWORD, "CONFIG", "GET", "dir"))
                    .items().get(1) instanceof Reply.Bulk b ? b.text() : null;
            assertFalse("/tmp".equals(dir), "CONFIG SET dir must not have run");
            Reply.Array role = (Reply.Array) RedisFixtures.call(redis.port(), ADMIN_PASSWORD, "ROLE");
            assertEquals("master", Reply.textOf(role.items().get(0)), "REPLICAOF must not have run");
        }
    }

    @Test
    void unreachableRedisIsAFindingNotAStackTrace() throws Exception {
        int port = RedisProcess.freePort();
        Result r = audit("--upstream", "127.0.0.1:" + port);
        assertEquals(3, r.exitCode());
        assertEquals("FAIL  redis-auth-required  cannot connect to Redis at 127.0.0.1:" + port + ": connection refused"
                + "  fix: check upstream.address, that Redis is running, and that this host may reach it",
                r.line("redis-auth-required"));
        assertTrue(r.line("redis-login").startsWith("FAIL  redis-login  cannot connect to Redis at 127.0.0.1:" + port),
                r.out());
        assertEquals("SKIP", r.status("redis-bind"));
        assertFalse(r.out().contains("Exception") || r.err().contains("Exception"), r.out() + r.err());
        assertEquals("", r.err());
    }

    @Test
    void refusedProxyCredentialsAreAFindingAndTheirPasswordIsNotShown() throws Exception {
        try (RedisProcess redis = RedisProcess.start("--requirepass", ADMIN_PASSWORD)) {
            Path config = config("127.0.0.1:" + redis.port(), "respgate", "");
            Result r = audit("--config", config.toString());
            assertEquals("FAIL  redis-login  Redis refuses RespGate's credentials for user 'respgate' (-WRONGPASS)"
                    + "  fix: check upstream.address, upstream.username and the password (upstream.password_env or"
                    + " upstream.password_file) against Redis: RespGate cannot forward anything while this fails",
                    r.line("redis-login"));
            assertEquals("SKIP", r.status("redis-protected-mode"));
            assertEquals(3, r.exitCode());
            r.assertNeverShows(PROXY_PASSWORD, ADMIN_PASSWORD);
        }
    }

    @Test
    void somethingThatIsNotRedisIsAFinding() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread responder = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        OutputStream out = s.getOutputStream();
                        out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            responder.setDaemon(true);
            responder.start();
            Result r = audit("--upstream", "127.0.0.1:" + server.getLocalPort());
            assertEquals(3, r.exitCode());
            assertTrue(r.line("redis-auth-required").contains("not a RESP2 reply"), r.out());
            assertEquals("FAIL", r.status("redis-login"));
            assertEquals("", r.err());
        }
    }

    @Test
    void tlsToRedisIsVerifiedAndAClientCertificateCountsAsACredential() throws Exception {
        TestPki pki = TestPki.create(tmp.resolve("pki"), "audit");
        TestPki.Issued server = pki.server("redis-server");
        TestPki.Issued client = pki.issue("proxy-client", "/CN=respgate", List.of(), 2,
                TestPki.KeyFormat.TRADITIONAL_EC);
        int tlsPort = RedisProcess.freePort();
        try (RedisProcess redis = lockedDownRedis("--tls-port", Integer.toString(tlsPort), "--tls-cert-file",
                server.cert().toString(), "--tls-key-file", server.key().toString(), "--tls-ca-cert-file",
                pki.caCert().toString(), "--tls-auth-clients", "yes")) {
            Path config = config("rediss://127.0.0.1:" + tlsPort, "respgate", "  tls: {ca_file: " + pki.caCert()
                    + ", cert_file: " + client.cert() + ", key_file: " + client.key() + "}\n");
            Result r = audit("--config", config.toString());
            assertTrue(r.line("redis-tls").startsWith("PASS  redis-tls  TLS to Redis at 127.0.0.1:" + tlsPort
                    + ", certificate and name verified"), r.out());
            assertTrue(r.line("redis-auth-required").startsWith("PASS  redis-auth-required  Redis at 127.0.0.1:"
                    + tlsPort + " refuses a TLS connection without a client certificate"), r.out());
            assertEquals("PASS", r.status("redis-login"), r.out());
            assertEquals("PASS", r.status("redis-dangerous-commands"), r.out());
            List<String> secretFiles = r.statuses().get("respgate-secret-files");
            assertEquals(2, secretFiles.size(), "the password file and the client key: " + r.out());
        }
    }

    @Test
    void usageAndConfigErrorsExitWithTwo() throws Exception {
        Path config = config("127.0.0.1:6379", "respgate", "");
        assertEquals(2, audit().exitCode());
        assertEquals(2, audit("--config", config.toString(), "--upstream", "127.0.0.1:6379").exitCode());
        Result withUser = audit("--config", config.toString(), "--user", "x");
        assertEquals(2, withUser.exitCode());
        assertTrue(withUser.err().contains("--user and --password-env go with --upstream"), withUser.err());

        Result passwordInUrl = audit("--upstream", "redis://app:" + PROXY_PASSWORD + "@127.0.0.1:6379");
        assertEquals(2, passwordInUrl.exitCode());
        assertTrue(passwordInUrl.err().startsWith("--upstream: must not contain a password"), passwordInUrl.err());
        passwordInUrl.assertNeverShows(PROXY_PASSWORD);

        Result unsetEnv = audit("--upstream", "127.0.0.1:6379", "--password-env", "NOT_SET_ANYWHERE");
        assertEquals(2, unsetEnv.exitCode());
        assertTrue(unsetEnv.err().startsWith("--password-env: the environment variable NOT_SET_ANYWHERE is not set"),
                unsetEnv.err());
        Result unsetInspect = audit("--upstream", "127.0.0.1:6379", "--inspect-password-env", "NOT_SET_ANYWHERE");
        assertEquals(2, unsetInspect.exitCode());

        Files.writeString(config, "upstream: {address: 127.0.0.1:6379}\n");
        Result noPolicy = audit("--config", config.toString());
        assertEquals(2, noPolicy.exitCode());
        assertTrue(noPolicy.err().contains("policy: no policy file configured"), noPolicy.err());
        assertEquals("", noPolicy.out());
    }

    @Test
    void theAuditCommandIsPartOfRespgate() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new RespGateCli());
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("audit", "--help"));
        assertTrue(out.toString().contains("--inspect-user"), out::toString);
        assertTrue(out.toString().contains("3   at least one FAIL"), out::toString);
    }
}
