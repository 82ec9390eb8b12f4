package io.respgate.proxy.testing;

import io.respgate.codec.testing.RedisProcess;
import io.respgate.config.LimitsConfig;
import io.respgate.config.ListenConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.policy.PolicySnapshot;
import io.respgate.proxy.RespGateServer;

import java.util.concurrent.TimeUnit;

/** A real Redis and a RespGate in front of it, both on loopback, for one test. */
public final class ProxiedRedis implements AutoCloseable {
    public static final String HOST = "127.0.0.1";

    private final RedisProcess redis;
    private RespGateServer proxy;

    private ProxiedRedis(RedisProcess redis) {
        this.redis = redis;
    }

    public static ProxiedRedis start(String... redisArgs) throws Exception {
        return start(TestPolicies.transparent(), LimitsConfig.defaults(), redisArgs);
    }

    public static ProxiedRedis start(PolicySnapshot policy, LimitsConfig limits, String... redisArgs) throws Exception {
        RedisProcess redis = RedisProcess.start(redisArgs);
        ProxiedRedis pair = new ProxiedRedis(redis);
        try {
            pair.startProxy(policy, UpstreamConfig.of(HOST, redis.port()), limits);
        } catch (Exception e) {
            redis.close();
            throw e;
        }
        return pair;
    }

    /** Replaces the proxy (stopping the running one) with one built from these settings. */
    public void startProxy(PolicySnapshot policy, UpstreamConfig upstream, LimitsConfig limits) throws Exception {
        startProxy(new RespGateConfig(new ListenConfig(HOST, 0), upstream, limits), policy);
    }

    /** Replaces the proxy (stopping the running one) with one built from this config. */
    public void startProxy(RespGateConfig config, PolicySnapshot policy) throws Exception {
        stopProxy();
        proxy = RespGateServer.start(config, policy);
    }

    public void stopProxy() throws InterruptedException {
        if (proxy != null) {
            proxy.shutdownGracefully();
            proxy.awaitTermination(20, TimeUnit.SECONDS);
            proxy = null;
        }
    }

    public int proxyPort() {
        return proxy.boundAddress().getPort();
    }

    public int redisPort() {
        return redis.port();
    }

    public RedisProcess redis() {
        return redis;
    }

    public RespGateServer proxy() {
        return proxy;
    }

    @Override
    public void close() throws Exception {
        try {
            stopProxy();
        } finally {
            redis.close();
        }
    }
}
