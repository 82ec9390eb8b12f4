package io.respgate.proxy.admin;

import java.util.concurrent.CompletableFuture;

/** What the admin endpoint can ask of the running proxy. */
public interface AdminActions {
    /** Prometheus text exposition of every meter. */
    String scrape();

    /** The policy in force, as a JSON object (version, load time, user count; never a secret). */
    String policyJson();

    /** Whether the policy is loaded and Redis answers; completes within a few seconds. */
    CompletableFuture<Boolean> ready();

    /** Reloads the policy file and the TLS files; the JSON result says what happened. */
    String reload();
}
