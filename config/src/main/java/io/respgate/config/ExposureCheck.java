package io.respgate.config;

import io.respgate.policy.PolicySnapshot;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses the two setups that expose Redis on a network by mistake: a plaintext listener on a
 * non-loopback address, and a non-loopback listener that lets anyone in without a credential.
 * Each refusal names the setting that changes it; an operator who means it says so in the config
 * ({@code listen.insecure_plaintext}, {@code listen.insecure_allow_anonymous}) and gets a warning
 * instead.
 */
public final class ExposureCheck {
    private ExposureCheck() {
    }

    /**
     * Checks the listener and policy together.
     *
     * @return warnings for the insecure setups the config accepts explicitly; empty when none
     * @throws ConfigException naming the setting to change, for a setup the config does not accept
     */
    public static List<String> check(ListenConfig listen, PolicySnapshot policy, String source) throws ConfigException {
        List<String> warnings = new ArrayList<>(2);
        if (isLoopback(listen.address())) {
            return warnings;
        }
        String where = listen.address() + ":" + listen.port();
        if (listen.tls().isEmpty()) {
            if (!listen.insecurePlaintext()) {
                throw new ConfigException(source, "listen.tls", "RespGate would listen on " + where
                        + ", which is not a loopback address, without TLS: passwords and data would cross the"
                        + " network in plain text. Configure listen.tls (cert_file, key_file), or listen on"
                        + " 127.0.0.1, or set listen.insecure_plaintext: true to accept the risk");
            }
            warnings.add("listening on " + where + " WITHOUT TLS (listen.insecure_plaintext: true): passwords and"
                    + " data cross the network in plain text");
        }
        boolean everyClientHasCertificate = listen.tls().map(t -> t.clientAuth() == ClientAuth.REQUIRE).orElse(false);
        if (policy.openDefaultUser() != null && !everyClientHasCertificate) {
            if (!listen.insecureAnonymous()) {
                throw new ConfigException(source, "listen.insecure_allow_anonymous", "the policy's user 'default' is"
                        + " on and nopass, so anyone who reaches " + where + " could run commands without a"
                        + " credential. Give 'default' a password or turn it off in the policy, require client"
                        + " certificates (listen.tls.client_auth: require), listen on 127.0.0.1, or set"
                        + " listen.insecure_allow_anonymous: true to accept the risk");
            }
            warnings.add("clients on " + where + " need no credential (listen.insecure_allow_anonymous: true)");
        }
        return warnings;
    }

    /** Whether every address {@code host} names is a loopback address. */
    public static boolean isLoopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
