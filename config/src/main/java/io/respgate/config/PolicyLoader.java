package io.respgate.config;

import io.respgate.policy.Guardrails;
import io.respgate.policy.PolicyException;
import io.respgate.policy.PolicySnapshot;
import io.respgate.policy.PolicyUser;
import io.respgate.policy.UserSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a policy file into a compiled {@link PolicySnapshot}. As strict as {@link ConfigLoader}:
 * unknown keys, wrong types and bad values are errors naming the file and the key path
 * ({@code policy.yaml: users.app.source_networks[1]: ...}); secrets are never echoed.
 *
 * <pre>{@code
 * guardrails:            # optional
 *   allow: [flushall]    # default entries to lift ("@all" lifts them all: test setups only)
 *   deny: [keys]         # extra entries: command, container|subcommand, or "config|set <param>"
 * users:                 # required, at least one
 *   default:
 *     acl: "off"
 *   app:
 *     acl: "on #<sha256 hex> ~app:* &app:* +@all -@dangerous"   # Redis ACL SETUSER syntax; no >password
 *     databases: [0, 1]                  # optional; SELECT/SWAPDB/MOVE/COPY DB; default all
 *     source_networks: ["10.0.0.0/8"]    # optional CIDRs; default any
 *     scripts: {sha1: [<40 hex>], functions: [name]}   # optional allow-list for EVAL, EVALSHA, SCRIPT LOAD, FCALL
 *     max_connections: 50                # optional; 0 = unlimited
 *     deny_args:                         # optional; each denies when it matches
 *       - {command: "config|set", args: ["dir", "*"], anywhere: true}
 *       - {command: keys}
 *       - {command: scan, option: COUNT, max: 1000}
 *     allow_only_args:                   # optional; every argument must match one glob
 *       - {command: "config|get", args: ["maxmemory", "maxmemory-policy"]}
 * }</pre>
 */
public final class PolicyLoader {
    static final int MAX_FILE_SIZE = 1024 * 1024;

    private static final List<String> TOP_KEYS = List.of("mode", "guardrails", "users");
    private static final List<String> GUARDRAIL_KEYS = List.of("allow", "deny");
    private static final List<String> USER_KEYS = List.of("acl", "databases", "source_networks", "scripts",
            "max_connections", "deny_args", "allow_only_args", "certificates", "mode");
    private static final List<String> SCRIPT_KEYS = List.of("sha1", "functions");
    private static final List<String> DENY_KEYS = List.of("command", "args", "anywhere", "option", "max");
    private static final List<String> ALLOW_ONLY_KEYS = List.of("command", "args");

    private PolicyLoader() {
    }

    /** Reads, validates and compiles a policy file; errors name the file as given. */
    public static PolicySnapshot load(Path file) throws ConfigException {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        byte[] bytes = YamlSupport.readBytes(file, source, MAX_FILE_SIZE, "policy file");
        return parse(bytes, source);
    }

    /** Parses policy text; {@code sourceName} starts every error message. */
    public static PolicySnapshot parse(String yaml, String sourceName) throws ConfigException {
        return parse(yaml.getBytes(StandardCharsets.UTF_8), sourceName);
    }

    /** Parses the bytes of a policy file; the snapshot's version is derived from them. */
    public static PolicySnapshot parse(byte[] bytes, String sourceName) throws ConfigException {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(sourceName, "sourceName");
        String text = YamlSupport.decodeUtf8(bytes, sourceName, "policy file");
        return new Reader(sourceName).read(text, PolicySnapshot.versionOf(bytes));
    }

    private static final class Reader {
        private final String source;

        Reader(String source) {
            this.source = source;
        }

        PolicySnapshot read(String yaml, String version) throws ConfigException {
            Object root = YamlSupport.load(yaml, source, MAX_FILE_SIZE);
            if (root == null) {
                throw ConfigException.ofFile(source, "the policy file is empty; expected a mapping with 'users'"
                        + " (see examples/policy.yaml)");
            }
            if (!(root instanceof Map)) {
                throw ConfigException.ofFile(source, "the top level must be a mapping with the keys "
                        + String.join(", ", TOP_KEYS) + ", got " + Values.describe(root));
            }
            Map<String, Object> top = YamlSupport.section(source, "", root, TOP_KEYS, Set.of());
            Guardrails guardrails = guardrails(top.get("guardrails"));
            boolean shadowByDefault = top.containsKey("mode") && shadow("mode", top.get("mode"));
            if (!(top.get("users") instanceof Map<?, ?> users) || users.isEmpty()) {
                throw error("users", "is required: a mapping of user name to settings with at least one user,"
                        + " got " + Values.describe(top.get("users")));
            }
            List<PolicyUser> compiled = new ArrayList<>();
            for (Map.Entry<?, ?> e : users.entrySet()) {
                if (!(e.getKey() instanceof String name)) {
                    throw error("users." + e.getKey(), "a user name must be a string; quote it");
                }
                String path = "users." + name;
                try {
                    Values.checkUsername(name);
                } catch (IllegalArgumentException ex) {
                    throw error(path, ex.getMessage());
                }
                UserSpec spec = user(path, name, e.getValue(), shadowByDefault);
                try {
                    compiled.add(PolicyUser.compile(spec));
                } catch (PolicyException ex) {
                    throw error(ex.path().isEmpty() ? path : path + "." + ex.path(), ex.problem());
                }
            }
            try {
                return PolicySnapshot.of(version, Instant.now(), guardrails, compiled);
            } catch (IllegalArgumentException e) {
                throw error("users", e.getMessage());
            }
        }

        private Guardrails guardrails(Object value) throws ConfigException {
            Map<String, Object> m = YamlSupport.section(source, "guardrails", value, GUARDRAIL_KEYS, Set.of());
            List<String> allow = strings("guardrails.allow", m.get("allow"), "a guardrail entry");
            List<String> deny = strings("guardrails.deny", m.get("deny"), "a guardrail entry");
            try {
                return Guardrails.of(allow, deny);
            } catch (PolicyException e) {
                throw error("guardrails." + e.path(), e.problem());
            }
        }

        /** {@code enforce} (false) or {@code shadow} (true). */
        private boolean shadow(String path, Object value) throws ConfigException {
            if ("enforce".equals(value)) {
                return false;
            }
            if ("shadow".equals(value)) {
                return true;
            }
            throw error(path, "must be enforce or shadow, got " + Values.describe(value));
        }

        private UserSpec user(String path, String name, Object value, boolean shadowByDefault) throws ConfigException {
            if (value == null) {
                throw error(path, "must be a mapping with at least 'acl'");
            }
            Map<String, Object> m = YamlSupport.section(source, path, value, USER_KEYS, Set.of());
            if (!m.containsKey("acl")) {
                throw error(path + ".acl", "is required: the user's rights in Redis ACL syntax, e.g."
                        + " \"on #<sha256> ~app:* +@read\"");
            }
            if (!(m.get("acl") instanceof String acl)) {
                // Not echoed: the value could be a password someone put in the wrong place.
                throw error(path + ".acl", "must be a string of Redis ACL rules; quote it (\"off\", \"on ...\")");
            }
            List<Integer> databases = null;
            if (m.containsKey("databases")) {
                databases = new ArrayList<>();
                List<?> list = list(path + ".databases", m.get("databases"));
                for (int i = 0; i < list.size(); i++) {
                    Long n = Values.integral(list.get(i));
                    if (n == null || n < 0 || n > Integer.MAX_VALUE) {
                        throw error(path + ".databases[" + i + "]", "must be a database number (0 or greater),"
                                + " got " + Values.describe(list.get(i)));
                    }
                    databases.add(n.intValue());
                }
                if (databases.isEmpty()) {
                    throw error(path + ".databases", "must list at least one database; omit it to allow all");
                }
            }
            List<String> networks = strings(path + ".source_networks", m.get("source_networks"), "a CIDR network");
            UserSpec.Scripts scripts = null;
            if (m.containsKey("scripts")) {
                Map<String, Object> s = YamlSupport.section(source, path + ".scripts", m.get("scripts"),
                        SCRIPT_KEYS, Set.of());
                scripts = new UserSpec.Scripts(strings(path + ".scripts.sha1", s.get("sha1"), "a SHA1 (40 hex digits)"),
                        strings(path + ".scripts.functions", s.get("functions"), "a function name"));
            }
            int maxConnections = 0;
            if (m.containsKey("max_connections")) {
                Long n = Values.integral(m.get("max_connections"));
                if (n == null || n < 0 || n > Integer.MAX_VALUE) {
                    throw error(path + ".max_connections", "must be an integer, 0 (unlimited) or greater, got "
                            + Values.describe(m.get("max_connections")));
                }
                maxConnections = n.intValue();
            }
            List<UserSpec.ArgRuleSpec> deny = argRules(path + ".deny_args", m.get("deny_args"), DENY_KEYS);
            List<UserSpec.ArgRuleSpec> allowOnly = argRules(path + ".allow_only_args", m.get("allow_only_args"),
                    ALLOW_ONLY_KEYS);
            List<String> certificates = strings(path + ".certificates", m.get("certificates"),
                    "a certificate name (cn:, dn:, dns: or uri:)");
            boolean shadow = m.containsKey("mode") ? shadow(path + ".mode", m.get("mode")) : shadowByDefault;
            return new UserSpec(name, acl, databases, networks, scripts, maxConnections, deny, allowOnly, certificates,
                    shadow);
        }

        private List<UserSpec.ArgRuleSpec> argRules(String path, Object value, List<String> keys)
                throws ConfigException {
            List<UserSpec.ArgRuleSpec> out = new ArrayList<>();
            if (value == null) {
                return out;
            }
            List<?> list = list(path, value);
            for (int i = 0; i < list.size(); i++) {
                String p = path + "[" + i + "]";
                if (list.get(i) == null) {
                    throw error(p, "must be a mapping with the keys " + String.join(", ", keys));
                }
                Map<String, Object> r = YamlSupport.section(source, p, list.get(i), keys, Set.of());
                if (!(r.get("command") instanceof String command) || command.isBlank()) {
                    throw error(p + ".command", "is required: a command such as keys or config|set, got "
                            + Values.describe(r.get("command")));
                }
                List<String> args = strings(p + ".args", r.get("args"), "a glob");
                boolean anywhere = false;
                if (r.containsKey("anywhere")) {
                    if (!(r.get("anywhere") instanceof Boolean b)) {
                        throw error(p + ".anywhere", "must be true or false, got " + Values.describe(r.get("anywhere")));
                    }
                    anywhere = b;
                }
                String option = null;
                if (r.containsKey("option")) {
                    if (!(r.get("option") instanceof String o) || o.isBlank()) {
                        throw error(p + ".option", "must be a keyword such as COUNT, got "
                                + Values.describe(r.get("option")));
                    }
                    option = o.strip();
                }
                Long max = null;
                if (r.containsKey("max")) {
                    max = Values.integral(r.get("max"));
                    if (max == null || max < 0) {
                        throw error(p + ".max", "must be an integer, 0 or greater, got " + Values.describe(r.get("max")));
                    }
                }
                out.add(new UserSpec.ArgRuleSpec(command, args, anywhere, option, max));
            }
            return out;
        }

        private List<?> list(String path, Object value) throws ConfigException {
            if (!(value instanceof List<?> list)) {
                throw error(path, "must be a list, got " + Values.describe(value));
            }
            return list;
        }

        private List<String> strings(String path, Object value, String what) throws ConfigException {
            List<String> out = new ArrayList<>();
            if (value == null) {
                return out;
            }
            List<?> list = list(path, value);
            for (int i = 0; i < list.size(); i++) {
                Object o = list.get(i);
                if (!(o instanceof String s) || s.isBlank()) {
                    throw error(path + "[" + i + "]", "must be " + what + " (a string), got " + Values.describe(o));
                }
                out.add(s);
            }
            return out;
        }

        private ConfigException error(String path, String problem) {
            return new ConfigException(source, path, problem);
        }
    }
}
