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
import java.util.List;
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
                Optional.of(Secret.ofUtf8(PASSWORD)), Duration.ofMillis(500)).withWatch(UpstreamConfig.Watch.DEFAULT),
                c.upstream());
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
        assertEquals("respgate.yaml: the top level must be a mapping of sections (listen, upstream, policy, limits, admin, audit, metrics), got "
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



    @Test
    void unknownKeysAnywhere() {
        assertEquals("respgate.yaml: lisen: unknown key (expected one of: listen, upstream, policy, limits, admin, audit, metrics)",
                fails(MINIMAL + "lisen: {}\n", "lisen").getMessage());
        assertTrue(fails(withListen("prot: 1"), "listen.prot").getMessage().contains("unknown key"));
        assertTrue(fails(withUpstream("address: a:1\npassword: x"), "upstream.password").getMessage()
                .contains("unknown key"));
        assertTrue(fails(withLimits("maxclients: 1"), "limits.maxclients").getMessage().contains("unknown key"));
        assertTrue(fails(MINIMAL + "1: x\n", "1").getMessage().contains("unknown key"));
    }

    @Test
    void sectionsMustBeMappings() {
        assertEquals("respgate.yaml: listen: must be a mapping with the keys address, port, tls, insecure_plaintext,"
                + " insecure_allow_anonymous, got \"x\"",
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
            "rediss://|must not be empty",
            "rediss://h:1/2|selecting a database (/2) is not supported yet",
            "rediss://h:0|the port must be",
            "redis+tls://h:1|unsupported URL scheme",
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
        assertTrue(e.getMessage().contains("password_env") && e.getMessage().contains("password_file"),
                e.getMessage());
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

    // ---- upstream.watch -----------------------------------------------------------------------

    @Test
    void watchIsOnByDefaultEveryThirtySeconds() throws Exception {
        assertEquals(UpstreamConfig.Watch.DEFAULT, parse(MINIMAL).upstream().watch());
        assertEquals(UpstreamConfig.Watch.DEFAULT, parse(withUpstream("address: h:1\nwatch:")).upstream().watch());
        assertEquals(UpstreamConfig.Watch.DEFAULT, parse(withUpstream("address: h:1\nwatch: {}")).upstream().watch());
        UpstreamConfig.Watch w = parse(MINIMAL).upstream().watch();
        assertTrue(w.enabled());
        assertEquals(Duration.ofSeconds(30), w.interval());
        assertEquals(List.of(), w.knownClients());
    }

    @Test
    void watchEveryKeySet() throws Exception {
        UpstreamConfig.Watch w = parse(withUpstream("""
                address: h:1
                watch:
                  enabled: true
                  interval: 5s
                  known_clients: [10.0.0.0/24, 192.168.1.7, "fd00::/8"]
                """)).upstream().watch();
        assertEquals(new UpstreamConfig.Watch(true, Duration.ofSeconds(5), List.of(
                io.respgate.policy.Cidr.parse("10.0.0.0/24"), io.respgate.policy.Cidr.parse("192.168.1.7/32"),
                io.respgate.policy.Cidr.parse("fd00::/8"))), w);
        assertTrue(w.knownClients().get(0).contains(java.net.InetAddress.getByName("10.0.0.200")));
        assertFalse(w.knownClients().get(0).contains(java.net.InetAddress.getByName("10.0.1.1")));
    }

    @Test
    void watchCanBeTurnedOffAndTakesOneNetworkOrNone() throws Exception {
        assertFalse(parse(withUpstream("address: h:1\nwatch: {enabled: false}")).upstream().watch().enabled());
        assertEquals(List.of(io.respgate.policy.Cidr.parse("127.0.0.0/8")),
                parse(withUpstream("address: h:1\nwatch: {known_clients: 127.0.0.0/8}")).upstream().watch()
                        .knownClients());
        assertEquals(List.of(), parse(withUpstream("address: h:1\nwatch: {known_clients: []}")).upstream().watch()
                .knownClients());
        assertEquals(Duration.ofHours(1), parse(withUpstream("address: h:1\nwatch: {interval: 1h}")).upstream()
                .watch().interval());
        assertEquals(Duration.ofSeconds(1), parse(withUpstream("address: h:1\nwatch: {interval: 1000ms}")).upstream()
                .watch().interval());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "interval: 0s|upstream.watch.interval|must be between 1s and 1h",
            "interval: 999ms|upstream.watch.interval|must be between 1s and 1h",
            "interval: 2h|upstream.watch.interval|must be between 1s and 1h",
            "interval: 30|upstream.watch.interval|ambiguous",
            "interval: off|upstream.watch.interval|must be a duration",
            "enabled: no|upstream.watch.enabled|must be true or false",
            "enabled: 0|upstream.watch.enabled|must be true or false",
            "known_clients: [10.0.0.1/24]|upstream.watch.known_clients[0]|host bits set",
            "known_clients: [10.0.0.0/24, redis.internal]|upstream.watch.known_clients[1]|not an IP address",
            "known_clients: [10.0.0.0/33]|upstream.watch.known_clients[0]|prefix length",
            "known_clients: ['']|upstream.watch.known_clients[0]|empty string",
            "known_clients: {a: 1}|upstream.watch.known_clients|must be a non-empty list",
            "knwon_clients: []|upstream.watch.knwon_clients|unknown key"})
    void watchBad(String body, String key, String expected) {
        ConfigException e = fails(withUpstream("address: h:1\nwatch: {" + body + "}"), key);
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void watchMustBeAMapping() {
        fails(withUpstream("address: h:1\nwatch: false"), "upstream.watch");
        fails(withUpstream("address: h:1\nwatch: [1s]"), "upstream.watch");
    }

    @Test
    void codeBuiltUpstreamsAreNotWatchedUnlessAsked() {
        assertEquals(UpstreamConfig.Watch.OFF, UpstreamConfig.of("h", 1).watch());
        UpstreamConfig watched = UpstreamConfig.of("h", 1).withWatch(
                UpstreamConfig.Watch.every(Duration.ofSeconds(2), List.of()));
        assertTrue(watched.watch().enabled());
        assertEquals(watched.watch(), watched.withTls(UpstreamTlsConfig.verifying(null)).watch());
        assertThrows(IllegalArgumentException.class,
                () -> UpstreamConfig.Watch.every(Duration.ofMillis(500), List.of()));
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
            assertEquals(MetricsConfig.defaults(), c.metrics());
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

    // ---- listen.tls -----------------------------------------------------------------------------

    private static String withTls(String tlsBody) {
        return withListen("tls:\n" + tlsBody.indent(2));
    }

    private static final String CERT_AND_KEY = "cert_file: server.crt\nkey_file: server.key\n";

    @Test
    void listenTlsWithOnlyCertificateAndKeyHasEveryDefault() throws Exception {
        ListenConfig listen = parse(withTls(CERT_AND_KEY)).listen();
        ServerTlsConfig tls = listen.tls().orElseThrow();
        assertEquals(tmp.resolve("server.crt"), tls.certFile());
        assertEquals(tmp.resolve("server.key"), tls.keyFile());
        assertEquals(Optional.empty(), tls.clientCaFile());
        assertEquals(ClientAuth.NONE, tls.clientAuth());
        assertFalse(tls.requireMapped());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocols());
        assertEquals(List.of(), tls.ciphers());
        assertEquals(0, tls.sessionCacheSize());
        assertEquals(Duration.ofMinutes(5), tls.sessionTimeout());
        assertFalse(tls.allowJdkProvider());
        assertEquals(ServerTlsConfig.of(tmp.resolve("server.crt"), tmp.resolve("server.key")), tls);
        assertEquals(List.of(tmp.resolve("server.crt"), tmp.resolve("server.key")), tls.files());
        assertFalse(listen.insecurePlaintext());
        assertFalse(listen.insecureAnonymous());
    }

    @Test
    void listenTlsEveryKeySet() throws Exception {
        ServerTlsConfig tls = parse(withTls("""
                cert_file: /etc/respgate/tls/server.crt
                key_file: keys/../keys/server.key
                client_ca_file: " clients-ca.pem "
                client_auth: require
                require_mapped: true
                protocols: [TLSv1.3]
                ciphers: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
                session_cache_size: 20000
                session_timeout: 10m
                allow_jdk_provider: true
                """)).listen().tls().orElseThrow();
        assertEquals(Path.of("/etc/respgate/tls/server.crt"), tls.certFile());
        assertEquals(tmp.resolve("keys/server.key"), tls.keyFile());
        assertEquals(Optional.of(tmp.resolve("clients-ca.pem")), tls.clientCaFile());
        assertEquals(ClientAuth.REQUIRE, tls.clientAuth());
        assertTrue(tls.requireMapped());
        assertEquals(List.of("TLSv1.3"), tls.protocols());
        assertEquals(List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
                tls.ciphers());
        assertEquals(20000, tls.sessionCacheSize());
        assertEquals(Duration.ofMinutes(10), tls.sessionTimeout());
        assertTrue(tls.allowJdkProvider());
        assertEquals(List.of(Path.of("/etc/respgate/tls/server.crt"), tmp.resolve("keys/server.key"),
                tmp.resolve("clients-ca.pem")), tls.files());
    }

    @ParameterizedTest
    @CsvSource({"none,NONE", "optional,OPTIONAL", "require,REQUIRE", "REQUIRE,REQUIRE", "' Optional ',OPTIONAL"})
    void clientAuthValues(String value, ClientAuth expected) throws Exception {
        String ca = expected == ClientAuth.NONE ? "" : "client_ca_file: ca.pem\n";
        ServerTlsConfig tls = parse(withTls(CERT_AND_KEY + ca + "client_auth: " + value)).listen().tls().orElseThrow();
        assertEquals(expected, tls.clientAuth());
        assertEquals(expected == ClientAuth.NONE ? Optional.empty() : Optional.of(tmp.resolve("ca.pem")),
                tls.clientCaFile());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "required|got \"required\"",
            "yes|got \"yes\"",
            "true|must be none, optional or require, got true",
            "''|got nothing (null)",
            "\"\"|got an empty string",
            "[require]|got a list"})
    void clientAuthBad(String value, String expected) {
        ConfigException e = fails(withTls(CERT_AND_KEY + "client_ca_file: ca.pem\nclient_auth: " + value),
                "listen.tls.client_auth");
        assertTrue(e.getMessage().contains("none, optional or require"), e.getMessage());
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"require", "optional"})
    void clientCertificatesNeedAClientCa(String mode) {
        ConfigException e = fails(withTls(CERT_AND_KEY + "client_auth: " + mode), "listen.tls.client_ca_file");
        assertTrue(e.getMessage().contains("is required with client_auth: " + mode), e.getMessage());
    }

    @Test
    void clientCaWithoutClientAuthIsAnError() {
        for (String extra : List.of("client_ca_file: ca.pem", "client_ca_file: ca.pem\nclient_auth: none")) {
            ConfigException e = fails(withTls(CERT_AND_KEY + extra), "listen.tls.client_auth");
            assertTrue(e.getMessage().contains("client_ca_file would not be used"), e.getMessage());
            assertTrue(e.getMessage().contains("optional or require"), e.getMessage());
        }
    }

    @Test
    void requireMapped() throws Exception {
        ConfigException e = fails(withTls(CERT_AND_KEY + "require_mapped: true"), "listen.tls.require_mapped");
        assertTrue(e.getMessage().contains("needs client certificates: set client_auth"), e.getMessage());
        fails(withTls(CERT_AND_KEY + "client_auth: none\nrequire_mapped: true"), "listen.tls.require_mapped");
        assertFalse(parse(withTls(CERT_AND_KEY + "require_mapped: false")).listen().tls().orElseThrow().requireMapped());
        assertTrue(parse(withTls(CERT_AND_KEY + "client_ca_file: ca.pem\nclient_auth: optional\nrequire_mapped: true"))
                .listen().tls().orElseThrow().requireMapped());
        assertTrue(fails(withTls(CERT_AND_KEY + "client_ca_file: ca.pem\nclient_auth: require\nrequire_mapped: 'yes'"),
                "listen.tls.require_mapped").getMessage().contains("must be true or false"));
    }

    @Test
    void listenTlsNeedsCertificateAndKey() {
        assertEquals("respgate.yaml: listen.tls.cert_file: is required: the PEM certificate chain the proxy presents"
                + " to clients", fails(withTls("key_file: k.pem"), "listen.tls.cert_file").getMessage());
        assertTrue(fails(withTls("cert_file: c.pem"), "listen.tls.key_file").getMessage()
                .contains("is required: the PEM private key"));
        assertTrue(fails(withTls("{}"), "listen.tls.cert_file").getMessage().contains("is required"));
        assertTrue(fails(withListen("tls:"), "listen.tls").getMessage()
                .contains("must be a mapping with at least cert_file and key_file"));
        assertTrue(fails(withListen("tls: true"), "listen.tls").getMessage().contains("must be a mapping"));
        assertTrue(fails(withListen("tls: server.pem"), "listen.tls").getMessage().contains("must be a mapping"));
    }

    @Test
    void listenTlsFileValuesMustBePaths() {
        fails(withTls("cert_file: ''\nkey_file: k.pem"), "listen.tls.cert_file");
        fails(withTls("cert_file: 3\nkey_file: k.pem"), "listen.tls.cert_file");
        fails(withTls("cert_file: [a.pem]\nkey_file: k.pem"), "listen.tls.cert_file");
        fails(withTls("cert_file: c.pem\nkey_file: ~"), "listen.tls.key_file");
        assertTrue(fails(withTls("cert_file: c.pem\nkey_file: \"a\\0b\""), "listen.tls.key_file").getMessage()
                .contains("is not a valid path"));
        fails(withTls(CERT_AND_KEY + "client_auth: require\nclient_ca_file: {a: b}"), "listen.tls.client_ca_file");
    }

    @Test
    void listenTlsUnknownKeys() {
        ConfigException e = fails(withTls("cert: a.pem"), "listen.tls.cert");
        assertTrue(e.getMessage().contains("unknown key (expected one of: cert_file, key_file, client_ca_file,"
                + " client_auth, require_mapped, protocols, ciphers, session_cache_size, session_timeout,"
                + " allow_jdk_provider)"), e.getMessage());
        fails(withTls(CERT_AND_KEY + "verify_hostname: true"), "listen.tls.verify_hostname");
        fails(withTls(CERT_AND_KEY + "ca_file: ca.pem"), "listen.tls.ca_file");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "[TLSv1.3]|TLSv1.3",
            "[TLSv1.2]|TLSv1.2",
            "TLSv1.2|TLSv1.2",
            "[TLSv1.2, TLSv1.3]|TLSv1.2,TLSv1.3",
            "[tlsv1.3, ' TLS1.2 ', '1.3']|TLSv1.3,TLSv1.2",
            "['1.2']|TLSv1.2"})
    void protocolsGood(String value, String expected) throws Exception {
        List<String> want = List.of(expected.split(","));
        assertEquals(want, parse(withTls(CERT_AND_KEY + "protocols: " + value)).listen().tls().orElseThrow().protocols());
        assertEquals(want, parse(withUpstream("address: rediss://h:1\ntls:\n  protocols: " + value)).upstream().tls()
                .orElseThrow().protocols());
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.1", "TLSv1", "SSLv3", "TLSv1.0", "tls1.1", "SSLv2", "'1.1'", "'1.0'"})
    void oldProtocolsAreRefusedCitingRfc8996(String value) {
        String bare = value.replace("'", "");
        for (String list : List.of("[" + value + "]", "[TLSv1.3, " + value + "]")) {
            ConfigException e = fails(withTls(CERT_AND_KEY + "protocols: " + list), "listen.tls.protocols");
            assertTrue(e.getMessage().contains("\"" + bare + "\" is refused"), e.getMessage());
            assertTrue(e.getMessage().contains("RFC 8996"), e.getMessage());
            assertTrue(e.getMessage().contains("use TLSv1.3 and/or TLSv1.2"), e.getMessage());
            ConfigException u = fails(withUpstream("address: rediss://h:1\ntls: {protocols: " + list + "}"),
                    "upstream.tls.protocols");
            assertTrue(u.getMessage().contains("RFC 8996"), u.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[TLSv1.4]|listen.tls.protocols|unknown protocol \"TLSv1.4\"; expected TLSv1.3 or TLSv1.2",
            "[TLS]|listen.tls.protocols|unknown protocol",
            "[]|listen.tls.protocols|must be a non-empty list of TLS versions",
            "\"\"|listen.tls.protocols|got an empty string",
            "''|listen.tls.protocols|got nothing (null)",
            "[1.3]|listen.tls.protocols[0]|got 1.3",
            "[TLSv1.3, 12]|listen.tls.protocols[1]|got 12",
            "{a: b}|listen.tls.protocols|must be a non-empty list"})
    void protocolsBad(String value, String key, String expected) {
        ConfigException e = fails(withTls(CERT_AND_KEY + "protocols: " + value), key);
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void tlsProtocolsCanonical() {
        assertEquals("TLSv1.3", TlsProtocols.canonical("TLSV1.3"));
        assertEquals("TLSv1.2", TlsProtocols.canonical(" 1.2 "));
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), TlsProtocols.DEFAULT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TlsProtocols.canonical("SSLv3"));
        assertTrue(e.getMessage().contains("RFC 8996"), e.getMessage());
        assertFalse(assertThrows(IllegalArgumentException.class, () -> TlsProtocols.canonical("DTLSv1.2"))
                .getMessage().contains("RFC 8996"));
    }

    @Test
    void ciphers() throws Exception {
        assertEquals(List.of("ECDHE-RSA-AES128-GCM-SHA256"),
                parse(withTls(CERT_AND_KEY + "ciphers: ECDHE-RSA-AES128-GCM-SHA256")).listen().tls().orElseThrow()
                        .ciphers());
        ConfigException e = fails(withTls(CERT_AND_KEY + "ciphers: ['ECDHE:!aNULL']"), "listen.tls.ciphers");
        assertTrue(e.getMessage().contains("one per entry, got \"ECDHE:!aNULL\""), e.getMessage());
        fails(withTls(CERT_AND_KEY + "ciphers: 'A B'"), "listen.tls.ciphers");
        fails(withTls(CERT_AND_KEY + "ciphers: []"), "listen.tls.ciphers");
        fails(withTls(CERT_AND_KEY + "ciphers: [7]"), "listen.tls.ciphers[0]");
        fails(withUpstream("address: rediss://h:1\ntls: {ciphers: ['a,b']}"), "upstream.tls.ciphers");
    }

    @Test
    void sessionCacheAndTimeout() throws Exception {
        assertEquals(1, parse(withTls(CERT_AND_KEY + "session_cache_size: 1")).listen().tls().orElseThrow()
                .sessionCacheSize());
        assertEquals(Duration.ofSeconds(1), parse(withTls(CERT_AND_KEY + "session_timeout: 1s")).listen().tls()
                .orElseThrow().sessionTimeout());
        assertEquals(Duration.ofDays(1), parse(withTls(CERT_AND_KEY + "session_timeout: 24h")).listen().tls()
                .orElseThrow().sessionTimeout());
        assertTrue(fails(withTls(CERT_AND_KEY + "session_cache_size: 0"), "listen.tls.session_cache_size")
                .getMessage().contains("must be an integer between 1 and 10000000, got 0"));
        fails(withTls(CERT_AND_KEY + "session_cache_size: 10000001"), "listen.tls.session_cache_size");
        fails(withTls(CERT_AND_KEY + "session_cache_size: lots"), "listen.tls.session_cache_size");
        assertTrue(fails(withTls(CERT_AND_KEY + "session_timeout: 300"), "listen.tls.session_timeout")
                .getMessage().contains("a plain number is ambiguous"));
        assertTrue(fails(withTls(CERT_AND_KEY + "session_timeout: 500ms"), "listen.tls.session_timeout")
                .getMessage().contains("must be between 1s and"));
        fails(withTls(CERT_AND_KEY + "session_timeout: 25h"), "listen.tls.session_timeout");
    }

    @Test
    void allowJdkProvider() throws Exception {
        assertTrue(parse(withTls(CERT_AND_KEY + "allow_jdk_provider: true")).listen().tls().orElseThrow()
                .allowJdkProvider());
        assertTrue(fails(withTls(CERT_AND_KEY + "allow_jdk_provider: 'true'"), "listen.tls.allow_jdk_provider")
                .getMessage().contains("must be true or false, got \"true\""));
        assertTrue(parse(withUpstream("address: rediss://h:1\ntls: {allow_jdk_provider: true}")).upstream().tls()
                .orElseThrow().allowJdkProvider());
        fails(withUpstream("address: rediss://h:1\ntls: {allow_jdk_provider: 1}"), "upstream.tls.allow_jdk_provider");
    }

    // ---- listen.insecure_* --------------------------------------------------------------------

    @Test
    void insecureFlags() throws Exception {
        ListenConfig l = parse(withListen("address: 0.0.0.0\ninsecure_plaintext: true\ninsecure_allow_anonymous: true"))
                .listen();
        assertTrue(l.insecurePlaintext());
        assertTrue(l.insecureAnonymous());
        assertEquals(Optional.empty(), l.tls());
        ListenConfig off = parse(withListen("insecure_plaintext: false\ninsecure_allow_anonymous: false")).listen();
        assertEquals(new ListenConfig("127.0.0.1", 6380), off);
        assertTrue(parse(withListen("tls:\n" + CERT_AND_KEY.indent(2) + "insecure_allow_anonymous: true")).listen()
                .insecureAnonymous());
        assertTrue(parse(withListen("tls:\n" + CERT_AND_KEY.indent(2) + "insecure_plaintext: false")).listen().tls()
                .isPresent());
        fails(withListen("insecure_plaintext: 'yes'"), "listen.insecure_plaintext");
        fails(withListen("insecure_allow_anonymous: 1"), "listen.insecure_allow_anonymous");
    }

    @Test
    void insecurePlaintextContradictsTls() {
        ConfigException e = fails(withListen("tls:\n" + CERT_AND_KEY.indent(2) + "insecure_plaintext: true"),
                "listen.insecure_plaintext");
        assertTrue(e.getMessage().contains("contradicts listen.tls"), e.getMessage());
    }

    // ---- upstream TLS -----------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "rediss://redis.internal:6380|redis.internal|6380|",
            "rediss://redis.internal|redis.internal|6379|",
            "REDISS://h:1|h|1|",
            "rediss://10.0.0.5:6390/0|10.0.0.5|6390|",
            "\"rediss://[::1]:6390\"|::1|6390|",
            "rediss://respgate@h:1|h|1|respgate"})
    void redissTurnsTlsOnWithFullVerification(String value, String host, int port, String user) throws Exception {
        UpstreamConfig u = parse(withUpstream("address: " + value)).upstream();
        assertEquals(host, u.host());
        assertEquals(port, u.port());
        assertEquals(Optional.ofNullable(user), u.username());
        UpstreamTlsConfig tls = u.tls().orElseThrow(() -> new AssertionError("rediss:// without TLS"));
        assertEquals(UpstreamTlsConfig.verifying(null), tls);
        assertTrue(tls.verifyCertificate());
        assertTrue(tls.verifyHostname());
        assertEquals(Optional.empty(), tls.caFile(), "the JDK's trust store by default");
        assertEquals(Optional.empty(), tls.serverName());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocols());
        assertEquals(List.of(), tls.files());
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://h:1", "h:1", "redis.internal:6379", "\"[::1]:6379\""})
    void plaintextAddressesHaveNoTls(String value) throws Exception {
        assertEquals(Optional.empty(), parse(withUpstream("address: " + value)).upstream().tls());
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://h:1", "REDIS://h:1", "redis://u@h"})
    void upstreamTlsWithRedisSchemeIsAnError(String address) {
        ConfigException e = fails(withUpstream("address: " + address + "\ntls: {ca_file: ca.pem}"), "upstream.tls");
        assertTrue(e.getMessage().contains("write rediss:// instead of redis://"), e.getMessage());
        fails(withUpstream("address: " + address + "\ntls: {}"), "upstream.tls");
    }

    @Test
    void upstreamTlsWithHostPortTurnsTlsOn() throws Exception {
        UpstreamTlsConfig tls = parse(withUpstream("address: redis.internal:6380\ntls: {ca_file: ca.pem}")).upstream()
                .tls().orElseThrow();
        assertEquals(Optional.of(tmp.resolve("ca.pem")), tls.caFile());
        assertTrue(tls.verifyCertificate() && tls.verifyHostname());
    }

    @Test
    void emptyUpstreamTlsSectionMeansDefaults() throws Exception {
        assertEquals(UpstreamTlsConfig.verifying(null),
                parse(withUpstream("address: rediss://h:1\ntls:")).upstream().tls().orElseThrow());
        assertEquals(UpstreamTlsConfig.verifying(null),
                parse(withUpstream("address: rediss://h:1\ntls: {}")).upstream().tls().orElseThrow());
    }

    @Test
    void upstreamTlsEveryKeySet() throws Exception {
        UpstreamTlsConfig tls = parse(withUpstream("""
                address: rediss://10.0.0.5:6380
                tls:
                  ca_file: tls/redis-ca.pem
                  cert_file: /etc/respgate/redis-client.crt
                  key_file: tls/redis-client.key
                  server_name: redis.internal
                  verify_certificate: true
                  verify_hostname: true
                  protocols: [TLSv1.3]
                  ciphers: [TLS_AES_128_GCM_SHA256]
                  allow_jdk_provider: false
                """)).upstream().tls().orElseThrow();
        assertEquals(Optional.of(tmp.resolve("tls/redis-ca.pem")), tls.caFile());
        assertEquals(Optional.of(Path.of("/etc/respgate/redis-client.crt")), tls.certFile());
        assertEquals(Optional.of(tmp.resolve("tls/redis-client.key")), tls.keyFile());
        assertEquals(Optional.of("redis.internal"), tls.serverName());
        assertTrue(tls.verifyCertificate());
        assertTrue(tls.verifyHostname());
        assertEquals(List.of("TLSv1.3"), tls.protocols());
        assertEquals(List.of("TLS_AES_128_GCM_SHA256"), tls.ciphers());
        assertFalse(tls.allowJdkProvider());
        assertEquals(List.of(tmp.resolve("tls/redis-ca.pem"), Path.of("/etc/respgate/redis-client.crt"),
                tmp.resolve("tls/redis-client.key")), tls.files());
    }

    @Test
    void upstreamClientCertificateNeedsBothFiles() {
        ConfigException e = fails(withUpstream("address: rediss://h:1\ntls: {cert_file: c.pem}"), "upstream.tls.key_file");
        assertTrue(e.getMessage().contains("is required too: a client certificate needs both cert_file and key_file"),
                e.getMessage());
        fails(withUpstream("address: rediss://h:1\ntls: {key_file: k.pem}"), "upstream.tls.cert_file");
        fails(withUpstream("address: rediss://h:1\ntls: {cert_file: 5, key_file: k.pem}"), "upstream.tls.cert_file");
        fails(withUpstream("address: rediss://h:1\ntls: {ca_file: ''}"), "upstream.tls.ca_file");
    }

    @ParameterizedTest
    @CsvSource({"redis.internal,redis.internal", "REDIS-1.Example.COM,REDIS-1.Example.COM", "localhost,localhost",
            "redis.internal.,redis.internal", "' redis ',redis", "10.0.0.5,10.0.0.5"})
    void serverNameGood(String value, String expected) throws Exception {
        assertEquals(Optional.of(expected), parse(withUpstream("address: rediss://h:1\ntls: {server_name: " + value
                + "}")).upstream().tls().orElseThrow().serverName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"'redis internal'", "-redis", "redis-", "a..b", ".redis", "'red_is'", "'redis:6379'",
            "'https://redis'", "''", "5", "'*.redis.internal'", "'[::1]'"})
    void serverNameBad(String value) {
        fails(withUpstream("address: rediss://h:1\ntls: {server_name: " + value + "}"), "upstream.tls.server_name");
    }

    @Test
    void serverNameLengthLimits() throws Exception {
        String label63 = "a".repeat(63);
        assertEquals(Optional.of(label63 + ".x"), parse(withUpstream("address: rediss://h:1\ntls: {server_name: "
                + label63 + ".x}")).upstream().tls().orElseThrow().serverName());
        fails(withUpstream("address: rediss://h:1\ntls: {server_name: " + label63 + "a.x}"), "upstream.tls.server_name");
        String longName = (label63 + ".").repeat(4) + "x"; // 257 characters
        fails(withUpstream("address: rediss://h:1\ntls: {server_name: " + longName + "}"), "upstream.tls.server_name");
    }

    @Test
    void verificationSwitches() throws Exception {
        UpstreamTlsConfig noHost = parse(withUpstream("address: rediss://h:1\ntls: {verify_hostname: false}"))
                .upstream().tls().orElseThrow();
        assertTrue(noHost.verifyCertificate());
        assertFalse(noHost.verifyHostname());

        UpstreamTlsConfig none = parse(withUpstream("address: rediss://h:1\ntls: {verify_certificate: false}"))
                .upstream().tls().orElseThrow();
        assertFalse(none.verifyCertificate());
        assertFalse(none.verifyHostname(), "an unverified certificate cannot vouch for a host name");

        UpstreamTlsConfig both = parse(withUpstream(
                "address: rediss://h:1\ntls: {verify_certificate: false, verify_hostname: false}")).upstream().tls()
                .orElseThrow();
        assertFalse(both.verifyCertificate() || both.verifyHostname());

        ConfigException e = fails(withUpstream(
                "address: rediss://h:1\ntls: {verify_certificate: false, verify_hostname: true}"),
                "upstream.tls.verify_hostname");
        assertTrue(e.getMessage().contains("cannot be checked when verify_certificate is false"), e.getMessage());

        e = fails(withUpstream("address: rediss://h:1\ntls: {verify_certificate: false, ca_file: ca.pem}"),
                "upstream.tls.ca_file");
        assertTrue(e.getMessage().contains("would not be used: verify_certificate is false"), e.getMessage());

        fails(withUpstream("address: rediss://h:1\ntls: {verify_certificate: 'no'}"), "upstream.tls.verify_certificate");
        fails(withUpstream("address: rediss://h:1\ntls: {verify_hostname: 0}"), "upstream.tls.verify_hostname");
    }

    @Test
    void upstreamTlsUnknownKeysAndWrongShape() {
        ConfigException e = fails(withUpstream("address: rediss://h:1\ntls: {client_auth: require}"),
                "upstream.tls.client_auth");
        assertTrue(e.getMessage().contains("unknown key (expected one of: ca_file, cert_file, key_file, server_name,"
                + " verify_certificate, verify_hostname, protocols, ciphers, allow_jdk_provider)"), e.getMessage());
        fails(withUpstream("address: rediss://h:1\ntls: {verify: false}"), "upstream.tls.verify");
        assertTrue(fails(withUpstream("address: rediss://h:1\ntls: true"), "upstream.tls").getMessage()
                .contains("must be a mapping"));
        fails(withUpstream("address: rediss://h:1\ntls: [ca.pem]"), "upstream.tls");
    }

    @Test
    void tlsFilesResolveAgainstTheConfigFilesDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("etc/respgate"));
        Path config = dir.resolve("respgate.yaml");
        Files.writeString(config, """
                listen:
                  tls:
                    cert_file: tls/server.crt
                    key_file: ../secrets/server.key
                    client_ca_file: clients.pem
                    client_auth: optional
                upstream:
                  address: rediss://redis:6380
                  tls: {ca_file: redis-ca.pem, cert_file: c.crt, key_file: c.key}
                """);
        RespGateConfig c = ConfigLoader.load(config);
        Path base = dir.toAbsolutePath();
        ServerTlsConfig server = c.listen().tls().orElseThrow();
        assertEquals(base.resolve("tls/server.crt"), server.certFile());
        assertEquals(tmp.toAbsolutePath().resolve("etc/secrets/server.key"), server.keyFile());
        assertEquals(Optional.of(base.resolve("clients.pem")), server.clientCaFile());
        UpstreamTlsConfig upstream = c.upstream().tls().orElseThrow();
        assertEquals(List.of(base.resolve("redis-ca.pem"), base.resolve("c.crt"), base.resolve("c.key")),
                upstream.files());
        for (Path p : server.files()) {
            assertTrue(p.isAbsolute(), p::toString);
        }
    }

    @Test
    void tlsRecordsRejectNonsense() {
        Path a = Path.of("a.pem");
        assertThrows(IllegalArgumentException.class, () -> new ServerTlsConfig(a, a, Optional.empty(),
                ClientAuth.REQUIRE, false, TlsProtocols.DEFAULT, List.of(), 0, Duration.ofMinutes(1), false));
        assertThrows(IllegalArgumentException.class, () -> new ServerTlsConfig(a, a, Optional.empty(),
                ClientAuth.NONE, false, List.of(), List.of(), 0, Duration.ofMinutes(1), false));
        assertThrows(NullPointerException.class, () -> ServerTlsConfig.of(null, a));
        ServerTlsConfig mtls = ServerTlsConfig.of(a, a).withClientAuth(Path.of("ca.pem"), ClientAuth.REQUIRE, true);
        assertEquals(ClientAuth.REQUIRE, mtls.clientAuth());
        assertTrue(mtls.requireMapped());
        assertEquals(List.of(a, a, Path.of("ca.pem")), mtls.files());
        assertThrows(IllegalArgumentException.class, () -> new UpstreamTlsConfig(Optional.empty(), Optional.of(a),
                Optional.empty(), Optional.empty(), true, true, TlsProtocols.DEFAULT, List.of(), false));
        assertThrows(IllegalArgumentException.class, () -> new UpstreamTlsConfig(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), true, true, List.of(), List.of(), false));
        List<String> protocols = new java.util.ArrayList<>(List.of("TLSv1.3"));
        ServerTlsConfig copy = new ServerTlsConfig(a, a, Optional.empty(), ClientAuth.NONE, false, protocols,
                List.of(), 0, Duration.ofMinutes(1), false);
        protocols.add("TLSv1.2");
        assertEquals(List.of("TLSv1.3"), copy.protocols(), "the record keeps its own copy");
        UpstreamConfig plain = UpstreamConfig.of("h", 1);
        assertEquals(Optional.of(UpstreamTlsConfig.verifying(a)), plain.withTls(UpstreamTlsConfig.verifying(a)).tls());
        assertEquals(Optional.of(ServerTlsConfig.of(a, a)), ListenConfig.defaults().withTls(ServerTlsConfig.of(a, a)).tls());
    }

    // ---- admin and audit -------------------------------------------------------------------

    @Test
    void adminDefaultsToLoopbackWithoutToken() throws ConfigException {
        RespGateConfig c = parse(MINIMAL + "admin: {}\n", Map.of());
        assertEquals(Optional.of(new AdminConfig("127.0.0.1", 9121, Optional.empty())), c.admin());
        assertEquals(Optional.empty(), parse(MINIMAL, Map.of()).admin());
    }

    @Test
    void adminOnANetworkAddressNeedsAToken() throws ConfigException {
        ConfigException e = fails(MINIMAL + "admin: {address: 0.0.0.0}\n", "admin.address");
        assertTrue(e.getMessage().contains("admin.token_env or admin.token_file"), e.getMessage());
        RespGateConfig c = parse(MINIMAL + "admin: {address: 0.0.0.0, port: 9200, token_env: ADMIN_TOKEN}\n",
                Map.of("ADMIN_TOKEN", "tok-" + PASSWORD));
        assertEquals(9200, c.admin().get().port());
        assertTrue(c.admin().get().token().get().matches(("tok-" + PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertFalse(c.toString().contains(PASSWORD), "the token never prints");
        fails(MINIMAL + "admin: {token_env: A, token_file: b}\n", "admin.token_file");
        fails(MINIMAL + "admin: {prot: 1}\n", "admin.prot");
    }

    // ---- metrics (issue 5) --------------------------------------------------------------------

    @Test
    void commandMetricsAreOnUnlessTurnedOff() throws ConfigException {
        assertEquals(MetricsConfig.defaults(), parse(MINIMAL).metrics());
        assertTrue(parse(MINIMAL).metrics().commands());
        assertTrue(parse(MINIMAL + "metrics:\n").metrics().commands(), "an empty section is the defaults");
        assertTrue(parse(MINIMAL + "metrics: {}\n").metrics().commands());
        assertTrue(parse(MINIMAL + "metrics: {commands: true}\n").metrics().commands());
        assertFalse(parse(MINIMAL + "metrics:\n  commands: false\n").metrics().commands());
        assertFalse(parse(MINIMAL + "metrics: {commands: false}\n").withAdmin(AdminConfig.loopback(0))
                .metrics().commands(), "kept by the with* copies");
        assertTrue(new RespGateConfig(ListenConfig.defaults(), UpstreamConfig.of("h", 1), LimitsConfig.defaults())
                .metrics().commands(), "configs built in code count commands");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "metrics: {commands: no}|metrics.commands|must be true or false, got \"no\"",
            "metrics: {commands: 0}|metrics.commands|must be true or false, got 0",
            "metrics: {commands: \"false\"}|metrics.commands|must be true or false, got \"false\"",
            "metrics: {commands: }|metrics.commands|must be true or false, got nothing (null)",
            "metrics: {command: false}|metrics.command|unknown key (expected one of: commands)",
            "metrics: {latency: false}|metrics.latency|unknown key (expected one of: commands)",
            "metrics: false|metrics|must be a mapping with the keys commands, got false",
            "metrics: [commands]|metrics|must be a mapping with the keys commands"})
    void commandMetricsBad(String body, String key, String expected) {
        ConfigException e = fails(MINIMAL + body + "\n", key);
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void auditNeedsAFileAndTakesAKeyMode() throws ConfigException {
        RespGateConfig c = parse(MINIMAL + "audit: {file: logs/audit.jsonl}\n", Map.of());
        assertEquals(tmp.resolve("logs/audit.jsonl"), c.audit().get().file());
        assertEquals(AuditConfig.KeyMode.HASHED, c.audit().get().keys());
        assertEquals(AuditConfig.KeyMode.OMITTED,
                parse(MINIMAL + "audit: {file: a, keys: omitted}\n", Map.of()).audit().get().keys());
        fails(MINIMAL + "audit: {keys: full}\n", "audit.file");
        ConfigException e = fails(MINIMAL + "audit: {file: a, keys: plain}\n", "audit.keys");
        assertTrue(e.getMessage().contains("full, hashed or omitted"), e.getMessage());
        fails(MINIMAL + "audit:\n", "audit");
    }
}
