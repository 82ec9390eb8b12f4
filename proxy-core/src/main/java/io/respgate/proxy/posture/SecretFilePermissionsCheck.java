package io.respgate.proxy.posture;

import io.respgate.config.RespGateConfig;
import io.respgate.config.UpstreamTlsConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Can other users on this host read (or replace) RespGate's secrets: the Redis password file and
 * the TLS private keys? A secret kept out of the config file is only as safe as its file's mode.
 */
final class SecretFilePermissionsCheck extends ConfigPostureCheck {
    static final String ID = "respgate-secret-files";

    /** A secret file and the key that names it. */
    record SecretFile(String key, Path path) {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    List<Finding> check(AuditedConfig config) {
        List<SecretFile> files = secretFiles(config);
        if (files.isEmpty()) {
            String password = config.config().upstream().password().isPresent()
                    ? "the Redis password comes from upstream.password_env" : "there is no Redis password";
            return List.of(Finding.pass(ID, "no secret files in the config (" + password + ", no TLS keys)"));
        }
        List<Finding> out = new ArrayList<>(files.size());
        for (SecretFile file : files) {
            out.add(judge(file));
        }
        return out;
    }

    static List<SecretFile> secretFiles(AuditedConfig config) {
        RespGateConfig c = config.config();
        List<SecretFile> files = new ArrayList<>(3);
        config.passwordFile().ifPresent(p -> files.add(new SecretFile("upstream.password_file", p)));
        c.listen().tls().ifPresent(t -> files.add(new SecretFile("listen.tls.key_file", t.keyFile())));
        c.upstream().tls().flatMap(UpstreamTlsConfig::keyFile)
                .ifPresent(p -> files.add(new SecretFile("upstream.tls.key_file", p)));
        return files;
    }

    static Finding judge(SecretFile file) {
        String name = file.path() + " (" + file.key() + ")";
        FileAccess access;
        try {
            access = FileAccess.of(file.path());
        } catch (FileAccess.Unreadable e) {
            return Finding.warn(ID, "cannot inspect " + name + ": " + e.getMessage(),
                    "check by hand with ls -l that only RespGate's user can read it");
        }
        String fix = "chmod 600 " + file.path() + ", owned by the user RespGate runs as";
        if (access.worldReadable() || access.worldWritable()) {
            return Finding.fail(ID, name + " can be " + (access.worldReadable() ? "read" : "replaced")
                    + " by every user on this host (" + access.describe() + ")", fix);
        }
        if (access.groupReadable() || access.groupWritable()) {
            return Finding.warn(ID, name + " can be " + (access.groupReadable() ? "read" : "replaced")
                    + " by group " + access.group() + " (" + access.describe() + ")", fix);
        }
        return Finding.pass(ID, name + " is readable only by its owner (" + access.describe() + ")");
    }
}
