package io.respgate.config;


import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads {@code respgate.yaml} into a {@link RespGateConfig}.
 *
 * <p>Strict by design: unknown keys, keys reserved for later versions, wrong types and out-of-range
 * values are all errors, reported with the file name and the full key path. Nothing is silently
 * ignored. Secrets never appear in error messages.
 *
 * <p>The YAML is read with snakeyaml-engine's core schema (YAML 1.2: plain {@code 123} is an
 * integer, {@code 2s} a string), duplicate keys rejected, a small alias budget and a size limit.
 */
public final class ConfigLoader {
    /** Largest config file accepted, in bytes (and in code points for {@link #parse}). */
    static final int MAX_FILE_SIZE = 1024 * 1024;
    /** Largest password file accepted, in bytes. */
    static final int MAX_PASSWORD_FILE_SIZE = 64 * 1024;

    private static final List<String> TOP_KEYS = List.of("listen", "upstream", "policy", "limits", "admin", "audit",
            "metrics");
    private static final List<String> AUDIT_KEYS = List.of("file", "keys");
    private static final List<String> METRICS_KEYS = List.of("commands");
    private static final List<String> ADMIN_KEYS = List.of("address", "port", "token_env", "token_file");
    private static final List<String> LISTEN_KEYS =
            List.of("address", "port", "tls", "insecure_plaintext", "insecure_allow_anonymous");
    private static final List<String> UPSTREAM_KEYS =
            List.of("address", "username", "password_env", "password_file", "connect_timeout", "command_timeout",
                    "tls", "watch");
    private static final List<String> WATCH_KEYS = List.of("enabled", "interval", "known_clients");
    private static final List<String> POLICY_KEYS = List.of("file", "max_auth_failures", "auth_lockout");
    private static final List<String> LIMITS_KEYS = List.of("max_arguments", "max_bulk_length",
            "max_inline_length", "max_pending_replies", "max_pending_bytes", "drain_timeout", "max_clients",
            "max_connections_per_source", "auth_timeout", "request_timeout", "idle_timeout", "max_reply_depth",
            "max_reply_bulk_length", "max_reply_size", "max_buffered_memory");

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration MAX_DRAIN_TIMEOUT = Duration.ofHours(1);
    /** Longest client timeout accepted (auth, request, idle, upstream command): a week. */
    private static final Duration MAX_CLIENT_TIMEOUT = Duration.ofDays(7);
    /** Smallest {@code max_buffered_memory}: below this, ordinary traffic would evict clients. */
    private static final long MIN_BUFFERED_MEMORY = 1024 * 1024;

    private ConfigLoader() {
    }

    /**
     * Reads and validates a config file. Error messages name the file as given. A relative
     * {@code upstream.password_file} is resolved against the directory of {@code file}.
     */
    public static RespGateConfig load(Path file) throws ConfigException {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        String text = readConfigFile(file, source);
        Path absolute = file.toAbsolutePath();
        Path baseDir = absolute.getParent() != null ? absolute.getParent() : absolute;
        return parse(text, source, System::getenv, baseDir);
    }

    /**
     * Parses config text. {@code sourceName} starts every error message. Environment variables come
     * from the process; a relative {@code upstream.password_file} is resolved against the current
     * directory.
     */
    public static RespGateConfig parse(String yaml, String sourceName) throws ConfigException {
        return parse(yaml, sourceName, System::getenv, Path.of("").toAbsolutePath());
    }

    /**
     * Parses config text with an explicit environment (for {@code upstream.password_env}) and base
     * directory (for a relative {@code upstream.password_file}).
     */
    public static RespGateConfig parse(String yaml, String sourceName, Function<String, String> env, Path baseDir)
            throws ConfigException {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(baseDir, "baseDir");
        return new Reader(sourceName, env, baseDir).read(yaml);
    }

    private static String readConfigFile(Path file, String source) throws ConfigException {
        return YamlSupport.readUtf8(file, source, MAX_FILE_SIZE, "config file");
    }

    /** The file's bytes, or null if it holds more than {@code max} bytes. */
    private static byte[] readBounded(Path file, int max) throws IOException {
        return YamlSupport.readBounded(file, max);
    }

    /** A short reason for an I/O failure; never file contents. */
    static String ioReason(IOException e) {
        return YamlSupport.ioReason(e);
    }

    /** One parse: the source name, environment and base directory, and the walk over the YAML tree. */
    private static final class Reader extends ScalarReader {
        private final Function<String, String> env;

        Reader(String source, Function<String, String> env, Path baseDir) {
            super(source, baseDir);
            this.env = env;
        }

        RespGateConfig read(String yaml) throws ConfigException {
            if (yaml.length() > MAX_FILE_SIZE) {
                throw ConfigException.ofFile(source, "the config is larger than " + MAX_FILE_SIZE / 1024 + " KiB");
            }
            Object root = loadYaml(yaml);
            if (root == null) {
                throw ConfigException.ofFile(source, "the config is empty; expected a mapping with at least"
                        + " upstream.address (see examples/respgate.yaml)");
            }
            if (!(root instanceof Map)) {
                throw ConfigException.ofFile(source, "the top level must be a mapping of sections ("
                        + String.join(", ", TOP_KEYS) + "), got " + Values.describe(root));
            }
            Map<String, Object> top = section("", root, TOP_KEYS, Set.of());
            ListenConfig listen = listen(top.get("listen"));
            UpstreamConfig upstream = upstream(top.get("upstream"));
            LimitsConfig limits = limits(top.get("limits"));
            Optional<PolicyConfig> policy = top.containsKey("policy")
                    ? Optional.of(policy(top.get("policy"))) : Optional.empty();
            Optional<AdminConfig> admin = top.containsKey("admin")
                    ? Optional.of(admin(top.get("admin"))) : Optional.empty();
            Optional<AuditConfig> audit = top.containsKey("audit")
                    ? Optional.of(audit(top.get("audit"))) : Optional.empty();
            MetricsConfig metrics = metrics(top.get("metrics"));
            return new RespGateConfig(listen, upstream, limits, policy, admin, audit, metrics);
        }

        private Object loadYaml(String yaml) throws ConfigException {
            return YamlSupport.load(yaml, source, MAX_FILE_SIZE);
        }

        // ---- sections ---------------------------------------------------------------------

        /**
         * Checks that {@code value} is a mapping with string keys from {@code known} only. An absent
         * or empty section ({@code limits:} with everything commented out) is an empty mapping.
         */
        private Map<String, Object> section(String path, Object value, List<String> known, Set<String> reserved)
                throws ConfigException {
            return YamlSupport.section(source, path, value, known, reserved);
        }

        private ListenConfig listen(Object value) throws ConfigException {
            Map<String, Object> m = section("listen", value, LISTEN_KEYS, Set.of());
            String address = ListenConfig.DEFAULT_ADDRESS;
            if (m.containsKey("address")) {
                String path = "listen.address";
                String text = string(path, m.get("address"), "an IP address or host name");
                try {
                    address = Hosts.normalize(text.strip());
                } catch (IllegalArgumentException e) {
                    throw error(path, e.getMessage() + ", got " + Values.quote(text));
                }
            }
            int port = m.containsKey("port") ? port("listen.port", m.get("port")) : ListenConfig.DEFAULT_PORT;
            Optional<ServerTlsConfig> tls = m.containsKey("tls")
                    ? Optional.of(new TlsSections(this).server(m.get("tls"))) : Optional.empty();
            boolean plaintext = m.containsKey("insecure_plaintext")
                    && bool("listen.insecure_plaintext", m.get("insecure_plaintext"));
            if (plaintext && tls.isPresent()) {
                throw error("listen.insecure_plaintext", "contradicts listen.tls: the listener uses TLS; remove one");
            }
            boolean anonymous = m.containsKey("insecure_allow_anonymous")
                    && bool("listen.insecure_allow_anonymous", m.get("insecure_allow_anonymous"));
            return new ListenConfig(address, port, tls, plaintext, anonymous);
        }

        private UpstreamConfig upstream(Object value) throws ConfigException {
            Map<String, Object> m = section("upstream", value, UPSTREAM_KEYS, Set.of());
            if (!m.containsKey("address")) {
                throw error("upstream.address", "is required: the Redis server to forward to, e.g. 127.0.0.1:6379");
            }
            String addressPath = "upstream.address";
            Object rawAddress = m.get("address");
            if (rawAddress instanceof List) {
                throw error(addressPath, "must be a string (" + UpstreamAddress.FORMS + "), got a list;"
                        + " an IPv6 address must be quoted, e.g. \"[::1]:6379\"");
            }
            if (!(rawAddress instanceof String addressText)) {
                throw error(addressPath, "must be a string (" + UpstreamAddress.FORMS + "), got "
                        + Values.describe(rawAddress));
            }
            UpstreamAddress address;
            try {
                address = UpstreamAddress.parse(addressText);
            } catch (IllegalArgumentException e) {
                throw error(addressPath, e.getMessage());
            }

            Optional<String> username = address.username();
            if (m.containsKey("username")) {
                String path = "upstream.username";
                String name = string(path, m.get("username"), "a Redis ACL user name");
                try {
                    Values.checkUsername(name);
                } catch (IllegalArgumentException e) {
                    throw error(path, e.getMessage());
                }
                if (username.isPresent() && !username.get().equals(name)) {
                    throw error(path, "conflicts with the user given in upstream.address; set the user in one place");
                }
                username = Optional.of(name);
            }

            boolean hasEnv = m.containsKey("password_env");
            boolean hasFile = m.containsKey("password_file");
            if (hasEnv && hasFile) {
                throw error("upstream.password_file", "cannot be combined with upstream.password_env; set only one");
            }
            Optional<Secret> password = Optional.empty();
            Optional<Path> passwordFile = Optional.empty();
            if (hasEnv) {
                password = Optional.of(passwordFromEnv("upstream.password_env", m.get("password_env")));
            } else if (hasFile) {
                passwordFile = Optional.of(file("upstream.password_file", m.get("password_file"),
                        "the path of a file holding the password"));
                password = Optional.of(passwordFromFile("upstream.password_file", passwordFile.get()));
            }

            Duration connectTimeout = UpstreamConfig.DEFAULT_CONNECT_TIMEOUT;
            if (m.containsKey("connect_timeout")) {
                connectTimeout = duration("upstream.connect_timeout", m.get("connect_timeout"),
                        Duration.ofMillis(1), MAX_CONNECT_TIMEOUT);
            }
            Duration commandTimeout = m.containsKey("command_timeout")
                    ? duration("upstream.command_timeout", m.get("command_timeout"), Duration.ZERO, MAX_CLIENT_TIMEOUT)
                    : UpstreamConfig.DEFAULT_COMMAND_TIMEOUT;
            Optional<UpstreamTlsConfig> tls = Optional.empty();
            if (m.containsKey("tls")) {
                if (addressText.strip().regionMatches(true, 0, "redis://", 0, 8)) {
                    throw error("upstream.tls", "needs a TLS address: write rediss:// instead of redis:// in"
                            + " upstream.address (or host:port)");
                }
                tls = Optional.of(new TlsSections(this).upstream(m.get("tls")));
            } else if (address.tls()) {
                tls = Optional.of(new TlsSections(this).upstream(null));
            }
            UpstreamConfig.Watch watch = m.containsKey("watch") ? watch(m.get("watch")) : UpstreamConfig.Watch.DEFAULT;
            return new UpstreamConfig(address.host(), address.port(), username, password, connectTimeout, tls, watch,
                    passwordFile, commandTimeout);
        }

        /** {@code upstream.watch}; an empty section means the defaults. */
        private UpstreamConfig.Watch watch(Object value) throws ConfigException {
            Map<String, Object> m = section("upstream.watch", value, WATCH_KEYS, Set.of());
            boolean enabled = !m.containsKey("enabled") || bool("upstream.watch.enabled", m.get("enabled"));
            Duration interval = m.containsKey("interval")
                    ? duration("upstream.watch.interval", m.get("interval"), UpstreamConfig.Watch.MIN_INTERVAL,
                            UpstreamConfig.Watch.MAX_INTERVAL)
                    : UpstreamConfig.Watch.DEFAULT_INTERVAL;
            List<io.respgate.policy.Cidr> known = new java.util.ArrayList<>();
            Object rawKnown = m.get("known_clients");
            // An explicit empty list is allowed: no direct client is expected.
            if (m.containsKey("known_clients") && !(rawKnown instanceof List<?> l && l.isEmpty())) {
                List<String> texts = strings("upstream.watch.known_clients", rawKnown,
                        "IP addresses or CIDR networks (e.g. 10.0.0.0/24)");
                for (int i = 0; i < texts.size(); i++) {
                    try {
                        known.add(io.respgate.policy.Cidr.parse(texts.get(i)));
                    } catch (IllegalArgumentException e) {
                        throw error("upstream.watch.known_clients[" + i + "]", e.getMessage() + ", got "
                                + Values.quote(texts.get(i)));
                    }
                }
            }
            return new UpstreamConfig.Watch(enabled, interval, known);
        }

        private Secret passwordFromEnv(String path, Object value) throws ConfigException {
            String name = string(path, value, "the name of an environment variable");
            if (!ENV_NAME.matcher(name).matches()) {
                throw error(path, "must be the name of an environment variable (letters, digits and '_',"
                        + " not starting with a digit), got " + Values.quote(name));
            }
            String secret = env.apply(name);
            if (secret == null) {
                throw error(path, "the environment variable " + name + " is not set");
            }
            if (secret.isEmpty()) {
                throw error(path, "the environment variable " + name + " is empty");
            }
            return Secret.ofUtf8(secret);
        }

        private Secret passwordFromFile(String path, Path file) throws ConfigException {
            byte[] bytes;
            try {
                bytes = readBounded(file, MAX_PASSWORD_FILE_SIZE);
            } catch (IOException e) {
                throw error(path, "cannot read " + file + ": " + ioReason(e));
            }
            if (bytes == null) {
                throw error(path, file + " is larger than " + MAX_PASSWORD_FILE_SIZE / 1024
                        + " KiB; it must hold only the password");
            }
            int end = bytes.length;
            while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
                end--;
            }
            try {
                if (end == 0) {
                    throw error(path, file + " is empty; it must hold the password");
                }
                for (int i = 0; i < end; i++) {
                    if (bytes[i] == '\n' || bytes[i] == '\r') {
                        throw error(path, file + " has more than one line; it must hold only the password");
                    }
                }
                return Secret.of(Arrays.copyOf(bytes, end));
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }

        private AuditConfig audit(Object value) throws ConfigException {
            if (value == null) {
                throw error("audit", "must be a mapping with the key file, e.g. audit: {file: /var/log/respgate/audit.jsonl}");
            }
            Map<String, Object> m = section("audit", value, AUDIT_KEYS, Set.of());
            if (!m.containsKey("file")) {
                throw error("audit.file", "is required: the file the audit log is appended to");
            }
            Path file = file("audit.file", m.get("file"), "the path of the audit log file");
            AuditConfig.KeyMode keys = AuditConfig.KeyMode.HASHED;
            if (m.containsKey("keys")) {
                String text = string("audit.keys", m.get("keys"), "full, hashed or omitted");
                try {
                    keys = AuditConfig.KeyMode.valueOf(text.strip().toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw error("audit.keys", "must be full, hashed or omitted, got " + Values.quote(text));
                }
            }
            return new AuditConfig(file, keys);
        }

        /** {@code metrics}; absent or empty means every meter on. */
        private MetricsConfig metrics(Object value) throws ConfigException {
            Map<String, Object> m = section("metrics", value, METRICS_KEYS, Set.of());
            boolean commands = !m.containsKey("commands") || bool("metrics.commands", m.get("commands"));
            return new MetricsConfig(commands);
        }

        private AdminConfig admin(Object value) throws ConfigException {
            Map<String, Object> m = section("admin", value, ADMIN_KEYS, Set.of());
            String address = AdminConfig.DEFAULT_ADDRESS;
            if (m.containsKey("address")) {
                String text = string("admin.address", m.get("address"), "an IP address or host name");
                try {
                    address = Hosts.normalize(text.strip());
                } catch (IllegalArgumentException e) {
                    throw error("admin.address", e.getMessage() + ", got " + Values.quote(text));
                }
            }
            int port = m.containsKey("port") ? port("admin.port", m.get("port")) : AdminConfig.DEFAULT_PORT;
            if (m.containsKey("token_env") && m.containsKey("token_file")) {
                throw error("admin.token_file", "cannot be combined with admin.token_env; set only one");
            }
            Optional<Secret> token = Optional.empty();
            if (m.containsKey("token_env")) {
                token = Optional.of(passwordFromEnv("admin.token_env", m.get("token_env")));
            } else if (m.containsKey("token_file")) {
                token = Optional.of(passwordFromFile("admin.token_file",
                        file("admin.token_file", m.get("token_file"), "the path of a file holding the token")));
            }
            if (token.isEmpty() && !ExposureCheck.isLoopback(address)) {
                throw error("admin.address", address + " is not a loopback address: anyone who reaches it could read"
                        + " the metrics and reload the policy. Set admin.token_env or admin.token_file, or listen on"
                        + " 127.0.0.1");
            }
            return new AdminConfig(address, port, token);
        }

        private PolicyConfig policy(Object value) throws ConfigException {
            if (value == null) {
                throw error("policy", "must be a mapping with the key file, e.g. policy: {file: policy.yaml}");
            }
            Map<String, Object> m = section("policy", value, POLICY_KEYS, Set.of());
            if (!m.containsKey("file")) {
                throw error("policy.file", "is required: the path of the policy file (users and guardrails)");
            }
            String name = string("policy.file", m.get("file"), "the path of the policy file");
            int maxFailures = m.containsKey("max_auth_failures")
                    ? (int) count("policy.max_auth_failures", m.get("max_auth_failures"), 1_000_000)
                    : PolicyConfig.DEFAULT_MAX_AUTH_FAILURES;
            Duration lockout = m.containsKey("auth_lockout")
                    ? duration("policy.auth_lockout", m.get("auth_lockout"), Duration.ofSeconds(1), Duration.ofDays(1))
                    : PolicyConfig.DEFAULT_AUTH_LOCKOUT;
            try {
                return new PolicyConfig(baseDir.resolve(name.strip()).normalize(), maxFailures, lockout);
            } catch (InvalidPathException e) {
                throw error("policy.file", "is not a valid path, got " + Values.quote(name));
            }
        }

        private LimitsConfig limits(Object value) throws ConfigException {
            Map<String, Object> m = section("limits", value, LIMITS_KEYS, Set.of());
            int maxArguments = m.containsKey("max_arguments")
                    ? (int) count("limits.max_arguments", m.get("max_arguments"), Integer.MAX_VALUE)
                    : LimitsConfig.DEFAULT_MAX_ARGUMENTS;
            long maxBulkLength = m.containsKey("max_bulk_length")
                    ? size("limits.max_bulk_length", m.get("max_bulk_length"), Long.MAX_VALUE)
                    : LimitsConfig.DEFAULT_MAX_BULK_LENGTH;
            int maxInlineLength = m.containsKey("max_inline_length")
                    ? (int) size("limits.max_inline_length", m.get("max_inline_length"), Integer.MAX_VALUE)
                    : LimitsConfig.DEFAULT_MAX_INLINE_LENGTH;
            int maxPendingReplies = m.containsKey("max_pending_replies")
                    ? (int) count("limits.max_pending_replies", m.get("max_pending_replies"), Integer.MAX_VALUE)
                    : LimitsConfig.DEFAULT_MAX_PENDING_REPLIES;
            long maxPendingBytes = m.containsKey("max_pending_bytes")
                    ? size("limits.max_pending_bytes", m.get("max_pending_bytes"), Long.MAX_VALUE)
                    : LimitsConfig.DEFAULT_MAX_PENDING_BYTES;
            Duration drainTimeout = m.containsKey("drain_timeout")
                    ? duration("limits.drain_timeout", m.get("drain_timeout"), Duration.ZERO, MAX_DRAIN_TIMEOUT)
                    : LimitsConfig.DEFAULT_DRAIN_TIMEOUT;
            int maxClients = m.containsKey("max_clients")
                    ? (int) count("limits.max_clients", m.get("max_clients"), 1_000_000)
                    : LimitsConfig.DEFAULT_MAX_CLIENTS;
            int perSource = m.containsKey("max_connections_per_source")
                    ? (int) countOrZero("limits.max_connections_per_source", m.get("max_connections_per_source"),
                            1_000_000, "0 means no limit")
                    : LimitsConfig.DEFAULT_MAX_CONNECTIONS_PER_SOURCE;
            if (perSource > maxClients) {
                throw error("limits.max_connections_per_source", "is " + perSource + ", more than limits.max_clients ("
                        + maxClients + "), so it would never apply; lower it, or use 0 for no limit");
            }
            Duration authTimeout = clientTimeout(m, "auth_timeout", LimitsConfig.DEFAULT_AUTH_TIMEOUT);
            Duration requestTimeout = clientTimeout(m, "request_timeout", LimitsConfig.DEFAULT_REQUEST_TIMEOUT);
            Duration idleTimeout = clientTimeout(m, "idle_timeout", LimitsConfig.DEFAULT_IDLE_TIMEOUT);
            int maxReplyDepth = m.containsKey("max_reply_depth")
                    ? (int) count("limits.max_reply_depth", m.get("max_reply_depth"), 4096)
                    : LimitsConfig.DEFAULT_MAX_REPLY_DEPTH;
            long maxReplySize = m.containsKey("max_reply_size")
                    ? size("limits.max_reply_size", m.get("max_reply_size"), LimitsConfig.MAX_REPLY_SIZE_LIMIT)
                    : LimitsConfig.DEFAULT_MAX_REPLY_SIZE;
            long maxReplyBulk = m.containsKey("max_reply_bulk_length")
                    ? size("limits.max_reply_bulk_length", m.get("max_reply_bulk_length"),
                            LimitsConfig.MAX_REPLY_SIZE_LIMIT)
                    : Math.min(LimitsConfig.DEFAULT_MAX_REPLY_BULK_LENGTH, maxReplySize);
            if (maxReplyBulk > maxReplySize) {
                throw error("limits.max_reply_bulk_length", "is " + Values.formatSize(maxReplyBulk)
                        + ", larger than limits.max_reply_size (" + Values.formatSize(maxReplySize)
                        + "), which bounds the whole reply; raise max_reply_size or lower this");
            }
            long maxBuffered = LimitsConfig.DEFAULT_MAX_BUFFERED_MEMORY;
            if (m.containsKey("max_buffered_memory")) {
                Object raw = m.get("max_buffered_memory");
                if (raw instanceof String s && s.strip().equalsIgnoreCase("auto")) {
                    maxBuffered = LimitsConfig.AUTO;
                } else {
                    maxBuffered = size("limits.max_buffered_memory", raw, Long.MAX_VALUE);
                    if (maxBuffered < MIN_BUFFERED_MEMORY) {
                        throw error("limits.max_buffered_memory", "must be auto or at least 1mb, got "
                                + Values.describe(raw));
                    }
                }
            }
            return new LimitsConfig(maxArguments, maxBulkLength, maxInlineLength, maxPendingReplies,
                    maxPendingBytes, drainTimeout, maxClients, perSource, authTimeout, requestTimeout, idleTimeout,
                    maxReplyDepth, maxReplyBulk, maxReplySize, maxBuffered);
        }

        /** {@code limits.<key>}: a duration from 0s (off) to a week. */
        private Duration clientTimeout(Map<String, Object> m, String key, Duration fallback) throws ConfigException {
            return m.containsKey(key)
                    ? duration("limits." + key, m.get(key), Duration.ZERO, MAX_CLIENT_TIMEOUT)
                    : fallback;
        }

        private static String join(String path, String key) {
            return path.isEmpty() ? key : path + "." + key;
        }
    }
}
