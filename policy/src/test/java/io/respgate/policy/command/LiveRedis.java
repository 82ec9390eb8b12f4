package io.respgate.policy.command;

import io.respgate.codec.testing.RedisProcess;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;

/** One throwaway redis-server per test class. */
final class LiveRedis implements AutoCloseable {
    final RedisProcess process;
    final RespClient client;

    private LiveRedis(RedisProcess process, RespClient client) {
        this.process = process;
        this.client = client;
    }

    static LiveRedis start() throws IOException {
        Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server not on PATH");
        RedisProcess process = RedisProcess.start();
        try {
            return new LiveRedis(process, new RespClient(RedisProcess.HOST, process.port()));
        } catch (IOException e) {
            process.close();
            throw e;
        }
    }

    RespClient connect() throws IOException {
        return new RespClient(RedisProcess.HOST, process.port());
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            process.close();
        }
    }
}
