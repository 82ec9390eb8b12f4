package io.respgate.proxy.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.util.concurrent.TimeUnit;

/**
 * Releases a replaced TLS context some time after a reload. An event loop may have read the old
 * context just before the swap and be creating a handler from it; releasing at once could free
 * it under that handler. Connections that started with it hold their own reference.
 */
final class RetiredContexts {
    static final long GRACE_SECONDS = 10;

    private RetiredContexts() {
    }

    static void release(SslContext replaced) {
        GlobalEventExecutor.INSTANCE.schedule(() -> ReferenceCountUtil.release(replaced), GRACE_SECONDS,
                TimeUnit.SECONDS);
    }
}
