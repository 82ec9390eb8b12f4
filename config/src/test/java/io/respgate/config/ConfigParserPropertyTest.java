package io.respgate.config;

import io.respgate.policy.PolicySnapshot;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the config and policy file loaders over generated files (jqwik): YAML trees of the known
 * sections and keys with plausible and ill-typed values (edge-case numbers, sizes, durations, addresses,
 * URLs with passwords, TLS sections, password files and environment variables, binary, NaN, aliases),
 * written in block or flow style, then often mutated character by character; and raw bytes.
 *
 * <p>{@link ConfigLoader#parse} and {@link PolicyLoader#parse} either return a config or fail with a
 * {@link ConfigException} whose message starts with the file name; never any other exception, never a
 * hang, and no message ever contains a secret (the password from the environment or a file, or the
 * password written into a {@code redis://} URL). A config and policy that load also pass or fail the
 * exposure check with a {@link ConfigException} only.
 */
class ConfigParserPropertyTest {
    private static final String SOURCE = "fuzz.yaml";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** Secrets from the environment and from files; the YAML never contains this marker. */
    private static final String SECRET = "s3cr3t";
    /** The password written into URLs in the YAML. */
    private static final String URL_PASSWORD = "urlpw9";
    private static final Map<String, String> ENV = Map.of("RG_PASSWORD", "env-" + SECRET + "-value",
            "RG_TOKEN", "tok-" + SECRET, "EMPTY", "");
    private static final Function<String, String> ENV_LOOKUP = ENV::get;

    private static Path dir;

    @BeforeContainer
    static void files() throws IOException {
        dir = Files.createTempDirectory("respgate-config-fuzz");
        Files.writeString(dir.resolve("pw.txt"), "file-" + SECRET + "\n");
        Files.writeString(dir.resolve("multi.txt"), "file-" + SECRET + "\nsecond-" + SECRET + "\n");
        Files.writeString(dir.resolve("empty.txt"), "\r\n");
        Files.writeString(dir.resolve("big.txt"), SECRET.repeat(12_000));
        Files.createDirectory(dir.resolve("sub"));
    }

    @AfterContainer
    static void removeFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---------------------------------------------------------------------------------- properties

    @Property(tries = 250, shrinking = ShrinkingMode.BOUNDED)
    void configFilesLoadOrFailWithAConfigException(@ForAll("configTexts") String yaml) {
        within(() -> {
            RespGateConfig config;
            try {
                config = ConfigLoader.parse(yaml, SOURCE, ENV_LOOKUP, dir);
            } catch (ConfigException e) {
                checkMessage(e, yaml);
                return;
            }
            try {
                ExposureCheck.check(config.listen(), OPEN_POLICY, "policy.yaml");
            } catch (ConfigException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
            }
        });
    }

    @Property(tries = 150, shrinking = ShrinkingMode.BOUNDED)
    void policyFilesLoadOrFailWithAConfigException(@ForAll("policyTexts") String yaml) {
        within(() -> {
            try {
                PolicySnapshot policy = PolicyLoader.parse(yaml, SOURCE);
                ExposureCheck.check(new ListenConfig("0.0.0.0", 6380), policy, SOURCE);
            } catch (ConfigException e) {
                checkMessage(e, yaml);
            }
        });
    }

    @Property(tries = 100, shrinking = ShrinkingMode.BOUNDED)
    void arbitraryBytesLoadOrFailWithAConfigException(@ForAll("rawBytes") byte[] bytes) {
        within(() -> {
            try {
                PolicyLoader.parse(bytes, SOURCE);
            } catch (ConfigException e) {
                checkMessage(e, "");
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            try {
                ConfigLoader.parse(text, SOURCE, ENV_LOOKUP, dir);
            } catch (ConfigException e) {
                checkMessage(e, text);
            }
        });
    }

    private static final PolicySnapshot OPEN_POLICY = policy("users: {default: {acl: \"on nopass ~* +@all\"}}");

    private static PolicySnapshot policy(String yaml) {
        try {
            return PolicyLoader.parse(yaml, "policy.yaml");
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkMessage(ConfigException e, String yaml) {
        String m = e.getMessage();
        assertTrue(m.startsWith(SOURCE + ": ") && m.length() > SOURCE.length() + 2, () -> "message: " + m);
        assertFalse(m.contains(SECRET), () -> "a secret in the message: " + m);
        if (yaml.contains(":" + URL_PASSWORD + "@")) {
            assertFalse(m.contains(URL_PASSWORD), () -> "the URL's password in the message: " + m);
        }
    }

    private static void within(ThrowingBody body) {
        try {
            assertTimeoutPreemptively(TIMEOUT, () -> {
                body.run();
                return null;
            }, "the loader did not return (a loop?)");
        } catch (RuntimeException e) {
            throw new AssertionError("unexpected exception " + e, e);
        }
    }

    @FunctionalInterface
    private interface ThrowingBody {
        void run() throws Exception;
    }

    // ---------------------------------------------------------------------------------- generators

    @Provide
    Arbitrary<String> configTexts() {
        return Arbitraries.frequencyOf(Tuple.of(5, files(ConfigParserPropertyTest::config)),
                Tuple.of(1, mutatedExample("respgate.yaml")));
    }

    @Provide
    Arbitrary<String> policyTexts() {
        return Arbitraries.frequencyOf(Tuple.of(5, files(ConfigParserPropertyTest::policyTree)),
                Tuple.of(1, mutatedExample("policy.yaml")));
    }

    /** The shipped example file (comments and all), mutated; the examples directory is beside the module. */
    private static Arbitrary<String> mutatedExample(String name) {
        String text;
        try {
            text = Files.readString(Path.of("..", "examples", name));
        } catch (IOException e) {
            throw new IllegalStateException("examples/" + name + " not found from " + Path.of("").toAbsolutePath(), e);
        }
        return Arbitraries.longs().map(seed -> mutate(text, new Random(seed)));
    }

    @Provide
    Arbitrary<byte[]> rawBytes() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)),
                Tuple.of(2, Arbitraries.longs().map(seed -> {
                    Random r = new Random(seed);
                    byte[] b = dump(r.nextBoolean() ? config(r) : policyTree(r), r).getBytes(StandardCharsets.UTF_8);
                    for (int i = r.nextInt(4); i > 0 && b.length > 0; i--) {
                        b[r.nextInt(b.length)] = (byte) (0x80 + r.nextInt(128)); // broken UTF-8
                    }
                    return b;
                })));
    }

    /** A tree from {@code tree}, dumped as YAML, mutated now and then (deterministic in the seed). */
    private static Arbitrary<String> files(Function<Random, Object> tree) {
        return Arbitraries.longs().map(seed -> {
            Random r = new Random(seed);
            String yaml = dump(tree.apply(r), r);
            return r.nextInt(3) == 0 ? mutate(yaml, r) : yaml;
        });
    }

    private static String dump(Object tree, Random r) {
        DumpSettings settings = DumpSettings.builder()
                .setDefaultFlowStyle(r.nextInt(4) == 0 ? FlowStyle.FLOW : FlowStyle.BLOCK)
                .build();
        return new Dump(settings).dumpToString(tree);
    }

    private static final String[] YAML_NOISE = {":", " ", "-", "\n", "  ", "\t", "#", "[", "]", "{", "}", ",", "&a",
        "*a", "!!str", "!!binary", "!!int", "? ", "|", ">", "'", "\"", "%YAML 1.1\n", "---\n", "...\n", "<<: *a",
        "\u0000", "\ufeff", "\u00e9", "0x", "1e9", ".inf", "~", "null", "yes", "on"};

    /** One to three character-level mutations: insert YAML noise, delete a run, duplicate a line. */
    static String mutate(String yaml, Random r) {
        StringBuilder sb = new StringBuilder(yaml);
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
            int at = r.nextInt(sb.length() + 1);
            switch (r.nextInt(4)) {
                case 0 -> sb.insert(at, YAML_NOISE[r.nextInt(YAML_NOISE.length)]);
                case 1 -> sb.delete(at, Math.min(sb.length(), at + 1 + r.nextInt(6)));
                case 2 -> {
                    int start = sb.lastIndexOf("\n", Math.max(0, at - 1)) + 1;
                    int end = sb.indexOf("\n", at);
                    if (end > start) {
                        sb.insert(end + 1, sb.substring(start, end + 1));
                    }
                }
                default -> {
                    if (at < sb.length()) {
                        sb.setCharAt(at, (char) (r.nextBoolean() ? ' ' + r.nextInt(95) : r.nextInt(0x3000)));
                    }
                }
            }
        }
        return sb.toString();
    }

    // ---- config trees

    private static final List<String> DURATIONS = List.of("2s", "250ms", "0s", "1m", "1h", "10m", "-1s", "2", "2 s",
            "999999999999h", "1d", "", "1.5s", "0ms", "24h", "86401s", "1M", "1H");
    private static final List<String> SIZES = List.of("512mb", "1kb", "1k", "64KB", "0", "-1", "9999999999999999999",
            "99999999999gb", "1 mb", "1.5mb", "8mb", "2gb", "1b", "mb", "1tb");
    private static final List<String> HOSTS = List.of("127.0.0.1", "0.0.0.0", "::1", "localhost", "[::1]", "999.1.1.1",
            "", " ", "host name", "::ffff:1.2.3.4", "10.0.0.1", "example.com", "fe80::1%eth0", "::", "127.1");
    private static final List<String> ADDRESSES = List.of("127.0.0.1:6379", "redis://app@127.0.0.1:6379/0",
            "rediss://redis.internal", "redis://app:" + URL_PASSWORD + "@h:1", "rediss://:" + URL_PASSWORD + "@[::1]:6379/0",
            "app:" + URL_PASSWORD + "@h:1", "[::1]:6379", "::1:6379", "h:0", "h:65536", "redis://h:1/1", "redis://h?x",
            "http://h", "h", ":6379", "redis://@h", "redis://u:@h", "redis://[::1", "rediss://h:6379/0#f",
            "redis://h:-1", "redis://h:99999999999", "REDIS://H", "redis:/h", "redis://h/0/0", "redis://u%40x@h");

    static Object config(Random r) {
        Map<String, Object> top = new LinkedHashMap<>();
        maybe(r, top, "listen", () -> section(r, Map.of(
                "address", pick(HOSTS),
                "port", pick(List.of(6380, 0, 1, 65535, 65536, -1, "6380", 1.5, 1L << 40)),
                "tls", lazy(() -> serverTls(r)),
                "insecure_plaintext", pick(List.of(true, false)),
                "insecure_allow_anonymous", pick(List.of(true, false)))));
        if (r.nextInt(10) != 0) {
            top.put("upstream", section(r, Map.of(
                    "address", pick(ADDRESSES),
                    "username", pick(List.of("app", "", "a b", "default", "x".repeat(300))),
                    "password_env", pick(List.of("RG_PASSWORD", "MISSING", "EMPTY", "1BAD", "A-B", "")),
                    "password_file", pick(List.of("pw.txt", "multi.txt", "empty.txt", "missing.txt", "big.txt",
                            "sub", "/dev/null", "", "\0")),
                    "connect_timeout", pick(DURATIONS),
                    "tls", lazy(() -> upstreamTls(r)),
                    "watch", lazy(() -> section(r, Map.of("enabled", pick(List.of(true, false, "yes")),
                            "interval", pick(DURATIONS),
                            "known_clients", pick(List.of(List.of(), List.of("10.0.0.0/24"), "10.0.0.1", List.of(""),
                                    List.of("dead.beef.cafe.face"), List.of("10.0.0.1/8")))))))));
        }
        maybe(r, top, "policy", () -> section(r, Map.of("file", pick(List.of("policy.yaml", "", "\0", "/x/../y")),
                "max_auth_failures", pick(List.of(10, 0, 1_000_000, 1_000_001, -1)),
                "auth_lockout", pick(DURATIONS))));
        maybe(r, top, "limits", () -> section(r, Map.of(
                "max_arguments", pick(List.of(1048576, 0, -1, Integer.MAX_VALUE, 1L << 31, "10")),
                "max_bulk_length", pick(SIZES), "max_inline_length", pick(SIZES),
                "max_pending_replies", pick(List.of(1048576, 0, 1L << 31)), "max_pending_bytes", pick(SIZES),
                "drain_timeout", pick(DURATIONS))));
        maybe(r, top, "admin", () -> section(r, Map.of("address", pick(HOSTS),
                "port", pick(List.of(9090, 0, 70000)),
                "token_env", pick(List.of("RG_TOKEN", "MISSING", "EMPTY")),
                "token_file", pick(List.of("pw.txt", "multi.txt", "missing.txt", "big.txt")))));
        maybe(r, top, "audit", () -> section(r, Map.of("file", pick(List.of("audit.jsonl", "", "/dev/null")),
                "keys", pick(List.of("full", "hashed", "omitted", "HASHED", "bogus", "")))));
        maybe(r, top, "metrics", () -> section(r, Map.of("commands", pick(List.of(true, false, "false", 0)))));
        if (r.nextInt(12) == 0) {
            top.put(List.of("listen_", "extra", "Listen", "").get(r.nextInt(4)), randomValue(r, 2));
        }
        return r.nextInt(25) == 0 ? randomValue(r, 3) : top;
    }

    private static Object serverTls(Random r) {
        return section(r, Map.of("cert_file", pick(List.of("cert.pem", "", "sub")),
                "key_file", pick(List.of("key.pem", "")),
                "client_ca_file", pick(List.of("ca.pem", "")),
                "client_auth", pick(List.of("none", "optional", "require", "REQUIRE", "bogus", "")),
                "require_mapped", pick(List.of(true, false)),
                "protocols", pick(List.of(List.of("TLSv1.3"), "TLSv1.2", List.of("TLSv1"), List.of("SSLv3"), "tls1.3",
                        List.of(), List.of("TLSv1.3", "TLSv1.3"))),
                "ciphers", pick(List.of(List.of("TLS_AES_128_GCM_SHA256"), "a b", List.of(""))),
                "session_cache_size", pick(List.of(0, 1, 10_000_001)),
                "session_timeout", pick(DURATIONS),
                "allow_jdk_provider", pick(List.of(true, false))));
    }

    private static Object upstreamTls(Random r) {
        return section(r, Map.of("ca_file", pick(List.of("ca.pem", "")),
                "cert_file", pick(List.of("cert.pem")), "key_file", pick(List.of("key.pem")),
                "server_name", pick(List.of("redis.internal", "a..b", "-x", "x.", "x".repeat(300), "é.com", "")),
                "verify_certificate", pick(List.of(true, false)), "verify_hostname", pick(List.of(true, false)),
                "protocols", pick(List.of(List.of("TLSv1.2"), "TLSv1.1")),
                "ciphers", pick(List.of(List.of("ECDHE-RSA-AES128-GCM-SHA256"))),
                "allow_jdk_provider", pick(List.of(true, false, "true"))));
    }

    // ---- policy trees

    private static final List<String> ACLS = List.of("on nopass ~* &* +@all", "off", "on #" + "a".repeat(64) + " ~app:* +@read",
            "on >" + "pw", "on nopass +nosuch", "on nopass (+get ~a*)", "on nopass -@all +get|x", "", "on nopass ~* +@all -keys");

    static Object policyTree(Random r) {
        Map<String, Object> top = new LinkedHashMap<>();
        maybe(r, top, "mode", () -> pick(List.of("enforce", "shadow", "ENFORCE", "")).get(r));
        maybe(r, top, "guardrails", () -> section(r, Map.of(
                "allow", pick(List.of(List.of("@all"), List.of("flushall"), List.of("nosuch"), List.of(), "keys")),
                "deny", pick(List.of(List.of("keys"), List.of("config|set dir"), List.of("@all"), List.of(""))))));
        if (r.nextInt(10) != 0) {
            Map<Object, Object> users = new LinkedHashMap<>();
            for (int i = r.nextInt(4); i >= 0; i--) {
                Object name = pick(List.of("default", "app", "ops", "a b", "", 1, "x".repeat(300))).get(r);
                users.put(name, r.nextInt(15) == 0 ? randomValue(r, 1) : user(r));
            }
            top.put("users", r.nextInt(20) == 0 ? randomValue(r, 2) : users);
        }
        return r.nextInt(25) == 0 ? randomValue(r, 3) : top;
    }

    private static Object user(Random r) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("acl", r.nextInt(10) == 0 ? randomValue(r, 1) : pick(ACLS).get(r));
        Map<String, Object> more = section(r, Map.of(
                "databases", pick(List.of(List.of(0), List.of(0, 15), List.of(-1), List.of(), "0", List.of(1L << 40))),
                "source_networks", pick(List.of(List.of("10.0.0.0/8"), List.of("::1/128", "bogus"), "10.0.0.0/8")),
                "scripts", pick(List.of(Map.of("sha1", List.of("a".repeat(40))), Map.of("functions", List.of("f", "f-1")),
                        Map.of("sha1", "x"))),
                "max_connections", pick(List.of(0, 50, -1, 1L << 40, "5")),
                "deny_args", pick(List.of(List.of(Map.of("command", "config|set", "args", List.of("dir", "*"),
                        "anywhere", true)), List.of(Map.of("command", "scan", "option", "COUNT", "max", 1000)),
                        List.of(Map.of("command", "nosuch")), List.of(Map.of("command", "keys", "max", -1)),
                        List.of("keys"))),
                "allow_only_args", pick(List.of(List.of(Map.of("command", "config|get", "args", List.of("maxmemory"))),
                        List.of(Map.of("command", "config|get")))),
                "certificates", pick(List.of(List.of("cn:api"), List.of("dn:CN=a,,"), List.of("x"), "cn:api")),
                "mode", pick(List.of("shadow", "enforce", "x"))));
        u.putAll(more);
        return u;
    }

    // ---- building blocks

    /** A value chosen from a list, or an ill-typed random value one time in four. */
    private interface Choice {
        Object get(Random r);
    }

    private static Choice pick(List<?> values) {
        return r -> r.nextInt(4) == 0 ? randomValue(r, 1) : values.get(r.nextInt(values.size()));
    }

    /** Some of the keys, each with a value from its choice (or a nested section); now and then an unknown key. */
    private static Map<String, Object> section(Random r, Map<String, Object> keys) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(keys.keySet());
        names.sort(null);
        for (String key : names) {
            if (r.nextInt(3) != 0) {
                continue;
            }
            Object v = keys.get(key);
            if (v instanceof Choice c) {
                out.put(key, c.get(r));
            } else if (v instanceof Supplier<?> s) {
                out.put(key, s.get());
            } else {
                out.put(key, v);
            }
        }
        if (r.nextInt(15) == 0) {
            out.put("unknown_key", randomValue(r, 1));
        }
        return out;
    }

    private static void maybe(Random r, Map<String, Object> top, String key, Supplier<Object> value) {
        if (r.nextInt(2) == 0) {
            top.put(key, value.get());
        }
    }

    /** A nested section, built only if its key is chosen. */
    private static Supplier<Object> lazy(Supplier<Object> section) {
        return section;
    }

    private static Object randomValue(Random r, int depth) {
        int kinds = depth > 0 ? 14 : 12;
        return switch (r.nextInt(kinds)) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> "";
            case 3 -> "x" + r.nextInt(100);
            case 4 -> List.of(0, -1, 1, 65535, Integer.MAX_VALUE, Integer.MIN_VALUE).get(r.nextInt(6));
            case 5 -> List.of(Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40).get(r.nextInt(3));
            case 6 -> BigInteger.TWO.pow(64 + r.nextInt(100));
            case 7 -> List.of(1.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e300).get(r.nextInt(5));
            case 8 -> new byte[] {1, 2, 3};
            case 9 -> List.of("2s", "512mb", "127.0.0.1:6379", "on", "null", "~", "0x1F", "1_000").get(r.nextInt(8));
            case 10 -> "\u0000\u0007\t\r\n\u00e9\u202e";
            case 11 -> " ".repeat(r.nextInt(3));
            case 12 -> {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(3); i > 0; i--) {
                    l.add(randomValue(r, depth - 1));
                }
                yield l;
            }
            default -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = r.nextInt(3); i > 0; i--) {
                    m.put(r.nextBoolean() ? "k" + r.nextInt(5) : r.nextInt(5), randomValue(r, depth - 1));
                }
                yield m;
            }
        };
    }
}
