package io.respgate.policy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CONFIG SET path guardrails cover every parameter a live Redis 7.0 reports that names a file or directory. */
class ConfigPathGuardrailRedisTest {
    private static final Pattern PATH_LIKE = Pattern.compile(".*(file|dir|socket|path)$|^dir$|.*-dir-.*|.*file-.*");
    /** Matched by the name pattern but not paths. */
    private static final Set<String> NOT_PATHS = Set.of("tls-key-file-pass", "tls-client-key-file-pass");

    @Test
    void everyPathParameterOfRedisIsGuarded() throws Exception {
        Set<String> reported = new TreeSet<>();
        try (LiveServer redis = LiveServer.start()) {
            List<?> reply = (List<?>) redis.call("CONFIG", "GET", "*");
            for (int i = 0; i < reply.size(); i += 2) {
                reported.add((String) reply.get(i));
            }
        }
        assertTrue(reported.size() > 150, reported.toString());
        Set<String> missing = new TreeSet<>();
        for (String name : reported) {
            if (PATH_LIKE.matcher(name).matches() && !NOT_PATHS.contains(name)
                    && !Guardrails.CONFIG_SET_PATH_PARAMETERS.contains(name)) {
                missing.add(name);
            }
        }
        assertEquals(Set.of(), missing, "path parameters of Redis the guardrails miss");
        for (String p : Guardrails.CONFIG_SET_PATH_PARAMETERS) {
            assertTrue(reported.contains(p), p + " is not a parameter of this Redis");
        }
        assertFalse(PATH_LIKE.matcher("maxmemory").matches());
    }
}
