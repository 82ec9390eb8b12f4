package io.respgate.proxy.testing;

import io.respgate.proxy.cli.RespGateCli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code respgate run --config FILE} as a child JVM on the test classpath, with its log collected
 * (read all the while, so the child never blocks on a full pipe) and signals sent through the
 * shell's {@code kill} (a minimal image may have no kill binary).
 */
public final class RespGateProcess implements AutoCloseable {
    private final Process process;
    private final StringBuffer log = new StringBuffer();
    private final CountDownLatch listening = new CountDownLatch(1);

    private RespGateProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readLog, "respgate-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the proxy with these extra JVM flags; {@link #awaitListening} waits until it serves. */
    public static RespGateProcess start(Path config, String... jvmFlags) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmFlags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                RespGateCli.class.getName(), "run", "--config", config.toString()));
        return new RespGateProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Whether the proxy logged that it listens within {@code seconds}. */
    public boolean awaitListening(long seconds) throws InterruptedException {
        return listening.await(seconds, TimeUnit.SECONDS);
    }

    /** {@code kill -NAME pid}, e.g. {@code HUP} or {@code TERM}. */
    public void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("sh", "-c", "kill -" + name + " " + process.pid()).start().waitFor();
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** Everything the proxy printed so far. */
    public String log() {
        return log.toString();
    }

    private void readLog() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                log.append(line).append('\n');
                if (line.contains("RespGate listening")) {
                    listening.countDown();
                }
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
