package io.respgate.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    private static final String SRC = "respgate.yaml";
    private static final String MINIMAL = """
            listen: {address: 127.0.0.1, port: 6380}
            upstream: {address: 127.0.0.1:6379}
            """;
    private static final String PASSWORD = "s3cr3t-Pa55w0rd!";
    private static final Function<String, String> NO_ENV = name -> null;

    @TempDir
    Path tmp;

    private RespGateConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, SRC, NO_ENV, tmp);
    }

    private RespGateConfig parse(String yaml, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(yaml, SRC, env::get, tmp);
    }

    /** Parses and expects an error at {@code key}; checks the message names file and key. */
    private ConfigException fails(String yaml, String key) {
        return fails(yaml, key, Map.of());
    }

    private ConfigException fails(String yaml, String key, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml, env));
        assertTrue(e.getMessage().startsWith(SRC + ": " + key + ": "),
                () -> "message should start with file and key '" + key + "': " + e.getMessage());
        assertEquals(Optional.of(key), e.keyPath());
        assertEquals(SRC, e.sourceName());
        assertFalse(e.getMessage().contains(PASSWORD), () -> "secret leaked: " + e.getMessage());
        return e;
    }

    private static String withUpstream(String upstreamBody) {
        return "upstream:\n" + upstreamBody.indent(2);
    }

    private static String withLimits(String limitsBody) {
        return MINIMAL + "limits:\n" + limitsBody.indent(2);
    }

    private static String withListen(String listenBody) {
        return "listen:\n" + listenBody.indent(2) + "upstream: {address: 127.0.0.1:6379}\n";
    }

    // ---- defaults and the whole file ---------------------------------------------------------

    @Test
    void minimalFileLoadsWithAllDefaults() throws Exception {
        RespGateConfig c = parse(MINIMAL);
        assertEquals(new ListenConfig("127.0.0.1", 6380), c.listen());
        assertEquals("127.0.0.1", c.upstream().host());
        assertEquals(6379, c.upstream().port());
        assertEquals(Optional.empty(), c.upstream().username());
        assertEquals(Optional.empty(), c.upstream().password());
        assertEquals(Duration.ofSeconds(2), c.upstream().connectTimeout());
        assertEquals(LimitsConfig.defaults(), c.limits());
        LimitsConfig l = c.limits();
        assertEquals(1048576, l.maxArguments());
        assertEquals(512L * 1024 * 1024, l.maxBulkLength());
        assertEquals(64 * 1024, l.maxInlineLength());
        assertEquals(1024 * 1024, l.maxPendingReplies());
        assertEquals(8L * 1024 * 1024, l.maxPendingBytes());
        assertEquals(Duration.ofSeconds(10), l.drainTimeout());
    }

    @Test
    void onlyUpstreamIsRequired() throws Exception {
        RespGateConfig c = parse("upstream:\n  address: redis:6379\n");
        assertEquals(ListenConfig.defaults(), c.listen());
        assertEquals("redis", c.upstream().host());
    }

    @Test
    void everyKeySet() throws Exception {
        String yaml = """
                listen:
                  address: 0.0.0.0
                  port: 7000
                upstream:
                  address: redis.internal:6390
                  username: respgate
                  password_env: REDIS_PASSWORD
                  connect_timeout: 500ms
                limits:
                  max_arguments: 1000
                  max_bulk_length: 1mb
                  max_inline_length: 4kb
                  max_pending_replies: 64
                  max_pending_bytes: 1048576
                  drain_timeout: 1m
                """;
        RespGateConfig c = parse(yaml, Map.of("REDIS_PASSWORD", PASSWORD));
        assertEquals(new ListenConfig("0.0.0.0", 7000), c.listen());
        assertEquals(new UpstreamConfig("redis.internal", 6390, Optional.of("respgate"),
                Optional.of(Secret.ofUtf8(PASSWORD)), Duration.ofMillis(500)), c.upstream());
        assertEquals(new LimitsConfig(1000, 1024 * 1024, 4096, 64, 1048576, Duration.ofMinutes(1)), c.limits());
        assertFalse(c.toString().contains(PASSWORD), c::toString);
        assertTrue(c.toString().contains("Secret[***]"), c::toString);
    }

    @Test
    void emptyLimitsSectionMeansDefaults() throws Exception {
        assertEquals(LimitsConfig.defaults(), parse(MINIMAL + "limits:\n").limits());
        assertEquals(LimitsConfig.defaults(), parse(MINIMAL + "limits: {}\n").limits());
    }

    // ---- file-level errors --------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "   \n", "# only a comment\n", "---\n", "~\n"})
    void emptyDocumentIsRejected(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        assertEquals("respgate.yaml: the config is empty; expected a mapping with at least upstream.address"
                + " (see examples/respgate.yaml)", e.getMessage());
        assertEquals(Optional.empty(), e.keyPath());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "- a\\n- b\\n|a list",
            "just text\\n|\"just text\"",
            "42\\n|42"})
    void nonMappingRootIsRejected(String yaml, String got) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml.replace("\\n", "\n")));
        assertEquals("respgate.yaml: the top level must be a mapping of sections (listen, upstream, policy, limits), got "
                + got, e.getMessage());
    }

    @Test
    void invalidYamlNamesFileAndLineButNotTheLine() {
        String yaml = "upstream:\n  address: redis://user:" + PASSWORD + "@h:1\n  bad: [unclosed\n";
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        assertTrue(e.getMessage().startsWith("respgate.yaml: invalid YAML at line "), e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    }

    @Test
    void duplicateKeysAreRejected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("upstream: {address: a:1}\nlisten: {port: 1}\nlisten: {port: 2}\n"));
        assertTrue(e.getMessage().startsWith("respgate.yaml: invalid YAML at line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("duplicate key"), e.getMessage());
    }

    @Test
    void customTagsAreRejected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("upstream: !!javaobject {address: a:1}\n"));
        assertTrue(e.getMessage().startsWith("respgate.yaml: invalid YAML"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse("upstream: !custom {address: a:1}\n"));
        assertTrue(e.getMessage().startsWith("respgate.yaml: invalid YAML"), e.getMessage());
    }

    @Test
    void aliasBombIsRejected() {
        StringBuilder sb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'k'; c++) {
            sb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                sb.append(i == 0 ? "" : ", ").append('*').append(prev);
            }
            sb.append("]\n");
            prev = c;
        }
        ConfigException e = assertThrows(ConfigException.class, () -> parse(sb.toString()));
        assertTrue(e.getMessage().startsWith("respgate.yaml: invalid YAML"), e.getMessage());
    }

    @Test
    void oversizedDocumentIsRejected() {
        String yaml = MINIMAL + "#" + "x".repeat(ConfigLoader.MAX_FILE_SIZE) + "\n";
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        assertEquals("respgate.yaml: the config is larger than 1024 KiB", e.getMessage());
    }

    @Test
    void multipleDocumentsAreRejected() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(MINIMAL + "---\n" + MINIMAL));
        assertTrue(e.getMessage().startsWith("respgate.yaml: invalid YAML"), e.getMessage());
    }

    // ---- unknown and reserved keys ------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "admin: {port: 9121}|admin",
            "audit: {enabled: true}|audit"})
    void reservedSectionsFailClosed(String extra, String key) {
        ConfigException e = fails(MINIMAL + extra + "\n", key);
        assertEquals("respgate.yaml: " + key + ": not supported yet by this version", e.getMessage());
    }

    @Test
    void reservedTlsKeysFailClosed() {
        assertEquals("respgate.yaml: listen.tls: not supported yet by this version",
                fails(withListen("tls: {cert: a.pem}"), "listen.tls").getMessage());
        assertEquals("respgate.yaml: upstream.tls: not supported yet by this version",
                fails(withUpstream("address: a:1\ntls: {}"), "upstream.tls").getMessage());
    }

    @Test
    void unknownKeysAnywhere() {
        assertEquals("respgate.yaml: lisen: unknown key (expected one of: listen, upstream, policy, limits)",
                fails(MINIMAL + "lisen: {}\n", "lisen").getMessage());
        assertTrue(fails(withListen("prot: 1"), "listen.prot").getMessage().contains("unknown key"));
        assertTrue(fails(withUpstream("address: a:1\npassword: x"), "upstream.password").getMessage()
                .contains("unknown key"));
        assertTrue(fails(withLimits("max_clients: 1"), "limits.max_clients").getMessage().contains("unknown key"));
        assertTrue(fails(MINIMAL + "1: x\n", "1").getMessage().contains("unknown key"));
    }

    @Test
    void sectionsMustBeMappings() {
        assertEquals("respgate.yaml: listen: must be a mapping with the keys address, port, got \"x\"",
                fails("listen: x\nupstream: {address: a:1}\n", "listen").getMessage());
        fails("upstream: [a]\n", "upstream");
        fails(MINIMAL + "limits: 5\n", "limits");
    }

    // ---- listen -------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"127.0.0.1,127.0.0.1", "0.0.0.0,0.0.0.0", "localhost,localhost", "proxy.example.com,proxy.example.com",
            "\"::1\",::1", "\"[::1]\",::1", "\"::\",::", "\"fe80::1%eth0\",fe80::1%eth0", "my_host,my_host"})
    void listenAddressGood(String value, String expected) throws Exception {
        assertEquals(expected, parse(withListen("address: " + value)).listen().address());
    }

    @ParameterizedTest
    @ValueSource(strings = {"''", "'a b'", "256.1.1.1", "10.1", "01.2.3.4", "'[::1'", "'::g'", "-bad.example",
            "'bad..example'", "5", "true", "[a]", "{a: b}", "'héllo'", "'1.2.3.4:80'"})
    void listenAddressBad(String value) {
        fails(withListen("address: " + value), "listen.address");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 6380, 65535})
    void listenPortGood(int port) throws Exception {
        assertEquals(port, parse(withListen("port: " + port)).listen().port());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"abc|\"abc\"", "0|0", "65536|65536", "-1|-1", "6380.5|6380.5",
            "\"6380\"|\"6380\"", "~|nothing (null)", "99999999999999999999|99999999999999999999", "[1]|a list"})
    void listenPortBad(String value, String got) {
        assertEquals("respgate.yaml: listen.port: must be an integer between 1 and 65535, got " + got,
                fails(withListen("port: " + value), "listen.port").getMessage());
    }

    // ---- upstream.address ---------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:6379|127.0.0.1|6379|",
            "redis:1|redis|1|",
            "\"[::1]:6379\"|::1|6379|",
            "\"[2001:db8::7]:7000\"|2001:db8::7|7000|",
            "redis://10.0.0.5|10.0.0.5|6379|",
            "redis://10.0.0.5:6390|10.0.0.5|6390|",
            "redis://cache.internal:6390/|cache.internal|6390|",
            "redis://cache.internal:6390/0|cache.internal|6390|",
            "REDIS://h:1|h|1|",
            "\"redis://[::1]:6390\"|::1|6390|",
            "\"redis://[::1]\"|::1|6379|",
            "redis://respgate@h:1|h|1|respgate",
            "redis://respgate:@h:1|h|1|respgate",
            "redis://r%40g@h:1|h|1|r@g",
            "redis://@h:1|h|1|"})
    void upstreamAddressGood(String value, String host, int port, String user) throws Exception {
        UpstreamConfig u = parse(withUpstream("address: " + value)).upstream();
        assertEquals(host, u.host());
        assertEquals(port, u.port());
        assertEquals(Optional.ofNullable(user), u.username());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"\"|must not be empty",
            "redis|missing port",
            "\"redis:\"|the port must be a number",
            "redis:0|the port must be a number between 1 and 65535",
            "redis:65536|the port must be",
            "redis:abc|the port must be",
            "\"::1:6379\"|must be written in brackets",
            "\"[::1]6379\"|unexpected text after the IPv6 address",
            "\"[::1:6379\"|missing ']'",
            "\"[zz::1]:6379\"|not a valid IPv6 address",
            "bad_-.host:1|not a valid host name",
            "\"a b:1\"|must not contain spaces",
            "rediss://h:6379|TLS to Redis is not supported yet",
            "unix:///tmp/redis.sock|unsupported URL scheme \"unix://\"",
            "http://h:1|unsupported URL scheme",
            "redis://h:1/3|selecting a database (/3) is not supported yet",
            "redis://h:1/x|unexpected URL path",
            "redis://h:1?timeout=3|URL query parameters are not supported",
            "redis://h:1#x|URL fragments are not supported",
            "redis://|must not be empty",
            "redis://h:99999|the port must be",
            "redis://%zz@h:1|malformed %-escape",
            "6379|must be a string",
            "[127.0.0.1]|got a list; an IPv6 address must be quoted",
            "{host: h}|must be a string"})
    void upstreamAddressBad(String value, String expected) {
        ConfigException e = fails(withUpstream("address: " + value), "upstream.address");
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void upstreamAddressIsRequired() {
        assertEquals("respgate.yaml: upstream.address: is required: the Redis server to forward to,"
                + " e.g. 127.0.0.1:6379", fails("listen: {port: 6380}\n", "upstream.address").getMessage());
        fails("upstream:\n", "upstream.address");
        fails("upstream: {username: u}\n", "upstream.address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://user:%s@h:6379", "redis://:%s@h:6379", "redis://user:%s@h:6379/2",
            "user:%s@h:6379", "rediss://user:%s@h:6379"})
    void passwordInUrlIsRejectedWithoutEchoingIt(String template) {
        ConfigException e = fails(withUpstream("address: " + template.formatted(PASSWORD)), "upstream.address");
        if (!template.startsWith("rediss")) {
            assertTrue(e.getMessage().contains("password_env") && e.getMessage().contains("password_file"),
                    e.getMessage());
        }
    }

    @Test
    void badUrlWithCredentialsDoesNotEchoThem() {
        ConfigException e = fails(withUpstream("address: redis://" + PASSWORD + "@bad..host:1"), "upstream.address");
        assertTrue(e.getMessage().contains("redis://***@bad..host:1"), e.getMessage());
    }

    // ---- upstream.username --------------------------------------------------------------------

    @Test
    void usernameGoodAndBad() throws Exception {
        assertEquals(Optional.of("app-1"), parse(withUpstream("address: h:1\nusername: app-1")).upstream().username());
        assertEquals(Optional.of("u"),
                parse(withUpstream("address: redis://u@h:1\nusername: u")).upstream().username());
        fails(withUpstream("address: h:1\nusername: ''"), "upstream.username");
        fails(withUpstream("address: h:1\nusername: 'a b'"), "upstream.username");
        fails(withUpstream("address: h:1\nusername: 42"), "upstream.username");
        fails(withUpstream("address: h:1\nusername: ~"), "upstream.username");
        assertTrue(fails(withUpstream("address: redis://u@h:1\nusername: v"), "upstream.username").getMessage()
                .contains("conflicts with the user given in upstream.address"));
    }

    // ---- passwords ----------------------------------------------------------------------------

    @Test
    void passwordFromEnv() throws Exception {
        UpstreamConfig u = parse(withUpstream("address: h:1\npassword_env: REDIS_PASSWORD"),
                Map.of("REDIS_PASSWORD", PASSWORD)).upstream();
        assertArrayEquals(PASSWORD.getBytes(StandardCharsets.UTF_8), u.password().orElseThrow().bytes());
        assertFalse(u.toString().contains(PASSWORD));
    }

    @Test
    void passwordEnvErrors() {
        Map<String, String> env = Map.of("EMPTY", "", "OTHER", PASSWORD);
        assertEquals("respgate.yaml: upstream.password_env: the environment variable REDIS_PASSWORD is not set",
                fails(withUpstream("address: h:1\npassword_env: REDIS_PASSWORD"), "upstream.password_env", env)
                        .getMessage());
        assertTrue(fails(withUpstream("address: h:1\npassword_env: EMPTY"), "upstream.password_env", env)
                .getMessage().contains("is empty"));
        fails(withUpstream("address: h:1\npassword_env: 'A-B'"), "upstream.password_env", env);
        fails(withUpstream("address: h:1\npassword_env: 1ABC"), "upstream.password_env", env);
        fails(withUpstream("address: h:1\npassword_env: ''"), "upstream.password_env", env);
        fails(withUpstream("address: h:1\npassword_env: [OTHER]"), "upstream.password_env", env);
    }

    @Test
    void passwordFromFileRelativeToBaseDirWithNewlineStripped() throws Exception {
        Files.writeString(tmp.resolve("redis.pass"), PASSWORD + "\r\n");
        UpstreamConfig u = parse(withUpstream("address: h:1\npassword_file: redis.pass")).upstream();
        assertEquals(Secret.ofUtf8(PASSWORD), u.password().orElseThrow());
        Path abs = tmp.resolve("abs.pass");
        Files.writeString(abs, PASSWORD);
        UpstreamConfig u2 = ConfigLoader.parse(withUpstream("address: h:1\npassword_file: '" + abs + "'"), SRC,
                NO_ENV, Path.of("/nonexistent")).upstream();
        assertEquals(Secret.ofUtf8(PASSWORD), u2.password().orElseThrow());
    }

    @Test
    void passwordFileErrorsNeverShowTheContents() throws Exception {
        assertTrue(fails(withUpstream("address: h:1\npassword_file: missing.pass"), "upstream.password_file")
                .getMessage().contains("no such file"));
        Files.writeString(tmp.resolve("empty.pass"), "\n");
        assertTrue(fails(withUpstream("address: h:1\npassword_file: empty.pass"), "upstream.password_file")
                .getMessage().contains("is empty"));
        Files.writeString(tmp.resolve("two.pass"), "user\n" + PASSWORD + "\n");
        assertTrue(fails(withUpstream("address: h:1\npassword_file: two.pass"), "upstream.password_file")
                .getMessage().contains("more than one line"));
        Files.writeString(tmp.resolve("big.pass"), PASSWORD.repeat(10_000));
        assertTrue(fails(withUpstream("address: h:1\npassword_file: big.pass"), "upstream.password_file")
                .getMessage().contains("larger than"));
        assertTrue(fails(withUpstream("address: h:1\npassword_file: ."), "upstream.password_file")
                .getMessage().contains("cannot read"));
        fails(withUpstream("address: h:1\npassword_file: 12"), "upstream.password_file");
        fails(withUpstream("address: h:1\npassword_file: ''"), "upstream.password_file");
    }

    @Test
    void passwordEnvAndFileAreExclusive() throws IOException {
        Files.writeString(tmp.resolve("p"), PASSWORD);
        assertTrue(fails(withUpstream("address: h:1\npassword_env: P\npassword_file: p"), "upstream.password_file",
                Map.of("P", PASSWORD)).getMessage().contains("cannot be combined with upstream.password_env"));
    }

    // ---- durations ----------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"250ms,250", "2s,2000", "1m,60000", "1MS,1", "10S,10000", "\"5 s\",5000", "10m,600000"})
    void connectTimeoutGood(String value, long millis) throws Exception {
        assertEquals(Duration.ofMillis(millis),
                parse(withUpstream("address: h:1\nconnect_timeout: " + value)).upstream().connectTimeout());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2|a plain number is ambiguous",
            "2.5|a plain number is ambiguous",
            "2.5s|must be a duration with a unit",
            "0s|must be between 1ms and 10m",
            "0ms|must be between",
            "11m|must be between",
            "1h|must be between",
            "-1s|must be a duration",
            "2 seconds|must be a duration",
            "~|got nothing (null)",
            "\"\"|must be a duration"})
    void connectTimeoutBad(String value, String expected) {
        ConfigException e = fails(withUpstream("address: h:1\nconnect_timeout: " + value), "upstream.connect_timeout");
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void drainTimeoutGoodAndBad() throws Exception {
        assertEquals(Duration.ZERO, parse(withLimits("drain_timeout: 0s")).limits().drainTimeout());
        assertEquals(Duration.ofMillis(1500), parse(withLimits("drain_timeout: 1500ms")).limits().drainTimeout());
        assertEquals(Duration.ofHours(1), parse(withLimits("drain_timeout: 1h")).limits().drainTimeout());
        assertTrue(fails(withLimits("drain_timeout: 10"), "limits.drain_timeout").getMessage()
                .contains("ambiguous"));
        assertTrue(fails(withLimits("drain_timeout: 2h"), "limits.drain_timeout").getMessage()
                .contains("must be between 0s and 1h"));
        fails(withLimits("drain_timeout: soon"), "limits.drain_timeout");
    }

    // ---- limits -------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"1024,1024", "512mb,536870912", "512MB,536870912", "1gb,1073741824", "8kb,8192", "\"1 kb\",1024",
            "100b,100", "0x400,1024", "2gb,2147483648"})
    void maxBulkLengthGood(String value, long bytes) throws Exception {
        assertEquals(bytes, parse(withLimits("max_bulk_length: " + value)).limits().maxBulkLength());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0|must be between 1 byte",
            "-5|must be between 1 byte",
            "512m|in Redis a bare k, m or g means powers of 1000",
            "1k|powers of 1000",
            "1.5mb|must be a size in bytes",
            "lots|must be a size in bytes",
            "1tb|must be a size in bytes",
            "9999999999gb|must be between 1 byte",
            "true|must be a size"})
    void maxBulkLengthBad(String value, String expected) {
        ConfigException e = fails(withLimits("max_bulk_length: " + value), "limits.max_bulk_length");
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void intSizesAndCounts() throws Exception {
        assertEquals(1024, parse(withLimits("max_inline_length: 1kb")).limits().maxInlineLength());
        assertEquals(Integer.MAX_VALUE, parse(withLimits("max_inline_length: 2147483647")).limits().maxInlineLength());
        fails(withLimits("max_inline_length: 2gb"), "limits.max_inline_length");
        fails(withLimits("max_inline_length: 0"), "limits.max_inline_length");
        fails(withLimits("max_inline_length: big"), "limits.max_inline_length");

        assertEquals(16 * 1024 * 1024, parse(withLimits("max_pending_bytes: 16mb")).limits().maxPendingBytes());
        fails(withLimits("max_pending_bytes: 0kb"), "limits.max_pending_bytes");
        fails(withLimits("max_pending_bytes: x"), "limits.max_pending_bytes");

        assertEquals(10, parse(withLimits("max_arguments: 10")).limits().maxArguments());
        assertEquals("respgate.yaml: limits.max_arguments: must be an integer between 1 and 2147483647, got 0",
                fails(withLimits("max_arguments: 0"), "limits.max_arguments").getMessage());
        fails(withLimits("max_arguments: 2147483648"), "limits.max_arguments");
        fails(withLimits("max_arguments: 1mb"), "limits.max_arguments");
        fails(withLimits("max_arguments: '10'"), "limits.max_arguments");

        assertEquals(1, parse(withLimits("max_pending_replies: 1")).limits().maxPendingReplies());
        fails(withLimits("max_pending_replies: -1"), "limits.max_pending_replies");
        fails(withLimits("max_pending_replies: 1.0"), "limits.max_pending_replies");
    }

    // ---- load(Path) -----------------------------------------------------------------------------

    @Test
    void loadResolvesPasswordFileNextToTheConfig() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(dir.resolve("redis.pass"), PASSWORD + "\n");
        Path file = dir.resolve("respgate.yaml");
        Files.writeString(file, withUpstream("address: h:1\npassword_file: redis.pass"));
        assertEquals(Secret.ofUtf8(PASSWORD), ConfigLoader.load(file).upstream().password().orElseThrow());
    }

    @Test
    void loadErrorsNameTheFile() throws Exception {
        Path missing = tmp.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        assertEquals(missing + ": cannot read the config file: no such file", e.getMessage());

        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, withListen("port: abc"));
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(bad));
        assertEquals(bad + ": listen.port: must be an integer between 1 and 65535, got \"abc\"", e.getMessage());

        Path binary = tmp.resolve("bin.yaml");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 'a'});
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(binary));
        assertEquals(binary + ": the config file is not valid UTF-8", e.getMessage());

        Path big = tmp.resolve("big.yaml");
        Files.writeString(big, "#".repeat(ConfigLoader.MAX_FILE_SIZE + 1));
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(big));
        assertTrue(e.getMessage().startsWith(big + ": the config file is larger than"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(tmp));
        assertTrue(e.getMessage().startsWith(tmp + ": cannot read the config file"), e.getMessage());
    }

    @Test
    void exampleFileInTheRepositoryLoads() throws Exception {
        Path example = Path.of("..", "examples", "respgate.yaml");
        if (Files.exists(example)) {
            RespGateConfig c = ConfigLoader.parse(Files.readString(example), example.toString(),
                    Map.of("REDIS_PASSWORD", PASSWORD)::get, tmp);
            assertEquals(ListenConfig.defaults(), c.listen());
            assertEquals(LimitsConfig.defaults(), c.limits());
        }
    }

    // ---- Secret -------------------------------------------------------------------------------

    @Test
    void secretNeverPrintsAndComparesByContent() {
        Secret s = Secret.ofUtf8(PASSWORD);
        assertEquals("Secret[***]", s.toString());
        assertEquals(Secret.of(PASSWORD.getBytes(StandardCharsets.UTF_8)), s);
        assertNotEquals(Secret.ofUtf8("other"), s);
        assertEquals(Secret.ofUtf8("other").hashCode(), s.hashCode());
        assertTrue(s.matches(PASSWORD.getBytes(StandardCharsets.UTF_8)));
        assertFalse(s.matches("x".getBytes(StandardCharsets.UTF_8)));
        assertFalse(s.matches(null));
        byte[] copy = s.bytes();
        copy[0] = 'X';
        assertArrayEquals(PASSWORD.getBytes(StandardCharsets.UTF_8), s.bytes());
        byte[] source = PASSWORD.getBytes(StandardCharsets.UTF_8);
        Secret fromBytes = Secret.of(source);
        source[0] = 'X';
        assertEquals(s, fromBytes);
        assertEquals(PASSWORD.length(), s.length());
        UpstreamConfig u = new UpstreamConfig("h", 1, Optional.of("u"), Optional.of(s), Duration.ofSeconds(1));
        assertFalse(u.toString().contains(PASSWORD), u::toString);
    }

    @Test
    void recordsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new ListenConfig("h", 70000));
        assertThrows(NullPointerException.class, () -> new ListenConfig(null, 1));
        assertThrows(IllegalArgumentException.class, () -> UpstreamConfig.of("h", 0));
        assertThrows(IllegalArgumentException.class,
                () -> new LimitsConfig(0, 1, 1, 1, 1, Duration.ZERO));
        assertEquals(0, new ListenConfig("127.0.0.1", 0).port());
    }

    // ---- policy section ------------------------------------------------------------------------

    @Test
    void policySectionResolvesAgainstTheConfigDirectory() throws Exception {
        assertEquals(Optional.empty(), parse(MINIMAL).policy());
        assertEquals(Optional.of(new PolicyConfig(tmp.resolve("policy.yaml"))),
                parse(MINIMAL + "policy: {file: policy.yaml}\n").policy());
        assertEquals(Path.of("/etc/respgate/p.yaml"), parse(MINIMAL + "policy: {file: /etc/respgate/p.yaml}\n")
                .policy().orElseThrow().file());
        Path dir = Files.createDirectories(tmp.resolve("conf"));
        Path config = dir.resolve("respgate.yaml");
        Files.writeString(config, MINIMAL + "policy:\n  file: sub/../policy.yaml\n");
        assertEquals(dir.toAbsolutePath().resolve("policy.yaml"), ConfigLoader.load(config).policy().orElseThrow().file());
    }

    @Test
    void badPolicySections() {
        assertEquals("respgate.yaml: policy.file: is required: the path of the policy file (users and guardrails)",
                fails(MINIMAL + "policy: {}\n", "policy.file").getMessage());
        fails(MINIMAL + "policy: {file: p.yaml, watch: true}\n", "policy.watch");
        fails(MINIMAL + "policy: {file: 3}\n", "policy.file");
        fails(MINIMAL + "policy:\n", "policy");
        fails(MINIMAL + "policy: p.yaml\n", "policy");
    }

    @Test
    void authLockoutSettings() throws Exception {
        PolicyConfig defaults = parse(MINIMAL + "policy: {file: p.yaml}\n").policy().orElseThrow();
        assertEquals(10, defaults.maxAuthFailures());
        assertEquals(Duration.ofMinutes(1), defaults.authLockout());
        PolicyConfig set = parse(MINIMAL + "policy: {file: p.yaml, max_auth_failures: 3, auth_lockout: 5m}\n")
                .policy().orElseThrow();
        assertEquals(3, set.maxAuthFailures());
        assertEquals(Duration.ofMinutes(5), set.authLockout());
        fails(MINIMAL + "policy: {file: p.yaml, max_auth_failures: 0}\n", "policy.max_auth_failures");
        fails(MINIMAL + "policy: {file: p.yaml, auth_lockout: 10}\n", "policy.auth_lockout");
    }

    @Test
    void threeArgumentConstructorHasNoPolicy() {
        RespGateConfig c = new RespGateConfig(new ListenConfig("127.0.0.1", 1), new UpstreamConfig("h", 1,
                Optional.empty(), Optional.empty(), Duration.ofSeconds(1)), LimitsConfig.defaults());
        assertEquals(Optional.empty(), c.policy());
    }
}
