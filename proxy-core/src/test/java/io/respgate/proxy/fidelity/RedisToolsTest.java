package io.respgate.proxy.fidelity;

import io.respgate.proxy.testing.ProxiedRedis;
import io.respgate.proxy.testing.ProxyExtension;
import io.respgate.proxy.testing.RawConnection;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.respgate.proxy.fidelity.Fidelity.mb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The stock Redis tools work against the proxy as they do against Redis. */
@ExtendWith(ProxyExtension.class)
@Timeout(120)
class RedisToolsTest {

    private record Result(int exitCode, String output) {
    }

    private static void assumeOnPath(String tool) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, tool).canExecute()) {
                found = true;
            }
        }
        Assumptions.assumeTrue(found, tool + " is not on PATH");
    }

    private static Result run(byte[] stdin, long timeoutSeconds, String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
            try {
                return process.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), new String(output.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    }

    private static String cli(ProxiedRedis redis, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", ProxiedRedis.HOST,
                "-p", Integer.toString(redis.proxyPort())));
        command.addAll(List.of(args));
        Result result = run(null, 20, command.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.output());
        return result.output();
    }

    @Test
    void redisCliSetAndGet(ProxiedRedis redis) throws Exception {
        assumeOnPath("redis-cli");
        assertEquals("OK\n", cli(redis, "SET", "cli:key", "hello world"));
        assertEquals("hello world\n", cli(redis, "GET", "cli:key"));
        assertEquals("(integer) 5\n", cli(redis, "--no-raw", "INCRBY", "cli:n", "5"));
        assertEquals("1) \"5\"\n2) (nil)\n", cli(redis, "--no-raw", "MGET", "cli:n", "cli:missing"));
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals("$11\r\nhello world\r\n", d.call("GET", "cli:key"));
        }
    }

    @Test
    void redisCliPipeMode(ProxiedRedis redis) throws Exception {
        assumeOnPath("redis-cli");
        int n = 5000;
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < n; i++) {
            input.append(i % 5 == 4 ? mb("INCR", "pipe:count") : mb("SET", "pipe:" + i, "value-" + i));
        }
        Result result = run(input.toString().getBytes(StandardCharsets.US_ASCII), 60, "redis-cli",
                "-h", ProxiedRedis.HOST, "-p", Integer.toString(redis.proxyPort()), "--pipe");
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("All data transferred"), result.output());
        assertTrue(result.output().contains("errors: 0, replies: " + n), result.output());
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals(":" + (n - n / 5 + 1) + "\r\n", d.call("DBSIZE"));
            assertEquals("$4\r\n1000\r\n", d.call("GET", "pipe:count"));
            assertEquals("$10\r\nvalue-4998\r\n", d.call("GET", "pipe:4998"));
        }
    }

    @Test
    void redisBenchmarkSetAndGet(ProxiedRedis redis) throws Exception {
        assumeOnPath("redis-benchmark");
        Result result = run(null, 100, "redis-benchmark", "-h", ProxiedRedis.HOST,
                "-p", Integer.toString(redis.proxyPort()), "-t", "set,get", "-n", "20000", "-q");
        assertEquals(0, result.exitCode(), result.output());
        Matcher m = Pattern.compile("(SET|GET): ([0-9.]+) requests per second").matcher(result.output());
        Map<String, Double> rps = new TreeMap<>();
        while (m.find()) {
            rps.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        assertEquals(List.of("GET", "SET"), List.copyOf(rps.keySet()), result.output());
        assertTrue(rps.get("SET") > 0 && rps.get("GET") > 0, rps.toString());
        try (RawConnection d = new RawConnection(redis.redisPort())) {
            assertEquals(":3\r\n", d.call("STRLEN", "key:__rand_int__"), "the benchmark's writes reached Redis");
        }
    }
}
