package io.respgate.proxy.testing;

import io.respgate.config.ConfigException;
import io.respgate.config.PolicyLoader;
import io.respgate.policy.PasswordHashing;
import io.respgate.policy.PolicySnapshot;

import java.nio.charset.StandardCharsets;

/** Policies for tests, written in the policy file's own YAML so tests exercise the real loader. */
public final class TestPolicies {
    private TestPolicies() {
    }

    /**
     * The transparent setup: {@code default} is on and needs no password, every command and key is
     * allowed and the guardrails are lifted, so a test can compare the proxy with Redis byte for byte.
     */
    public static PolicySnapshot transparent() {
        return parse("""
                guardrails:
                  allow: ["@all"]
                users:
                  default:
                    acl: "on nopass ~* &* +@all"
                """);
    }

    /** An open default user under the default guardrails. */
    public static PolicySnapshot openWithGuardrails() {
        return parse("""
                users:
                  default:
                    acl: "on nopass ~* &* +@all"
                """);
    }

    public static String hash(String password) {
        return PasswordHashing.sha256Hex(password.getBytes(StandardCharsets.UTF_8));
    }

    public static PolicySnapshot parse(String yaml) {
        try {
            return PolicyLoader.parse(yaml, "test-policy.yaml");
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
