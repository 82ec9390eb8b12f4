package io.respgate.proxy.testing;

import io.respgate.codec.testing.RedisProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;

/**
 * Starts a real {@code redis-server} from PATH on a free loopback port for each test, with the
 * arguments named by {@link RedisArgs} on the test method or class, puts a RespGate in front of it
 * and hands the pair to the test as a {@link ProxiedRedis} parameter. Both stop after the test.
 */
public final class ProxyExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ProxyExtension.class);

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Assumptions.assumeTrue(RedisProcess.isAvailable(), "redis-server is not on PATH");
        String[] args = argsOf(context.getRequiredTestMethod())
                .or(() -> argsOf(context.getRequiredTestClass()))
                .orElse(new String[0]);
        ProxiedRedis pair = ProxiedRedis.start(args);
        context.getStore(NS).put(ProxiedRedis.class, pair);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        ProxiedRedis pair = context.getStore(NS).remove(ProxiedRedis.class, ProxiedRedis.class);
        if (pair != null) {
            pair.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ProxiedRedis.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NS).get(ProxiedRedis.class, ProxiedRedis.class);
    }

    private static Optional<String[]> argsOf(AnnotatedElement element) {
        RedisArgs args = element.getAnnotation(RedisArgs.class);
        return Optional.ofNullable(args).map(RedisArgs::value);
    }
}
