package io.respgate.proxy;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The upstream host name is looked up off the event loop, so a slow name server stalls no client. */
@Timeout(30)
class UpstreamResolverTest {

    @Test
    void aSlowLookupDoesNotHoldTheLoop() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        AtomicReference<String> lookedUpOn = new AtomicReference<>();
        EventLoop loop = new DefaultEventLoop();
        try (UpstreamResolver group = new UpstreamResolver(host -> {
            lookedUpOn.set(Thread.currentThread().getName());
            awaitQuietly(answer);
            return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {10, 1, 2, 3})};
        })) {
            Future<InetSocketAddress> resolved = resolve(loop, group, "redis.internal");
            assertEquals("still running", loop.submit(() -> "still running").get(5, TimeUnit.SECONDS),
                    "the loop runs other tasks while the look-up waits");
            assertFalse(resolved.isDone());
            answer.countDown();
            InetSocketAddress address = resolved.get(5, TimeUnit.SECONDS);
            assertEquals("10.1.2.3", address.getAddress().getHostAddress());
            assertEquals(6379, address.getPort());
            assertEquals("respgate-dns", lookedUpOn.get());
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void anIpLiteralIsNotLookedUp() throws Exception {
        EventLoop loop = new DefaultEventLoop();
        try (UpstreamResolver group = new UpstreamResolver(host -> {
            throw new AssertionError("looked up " + host);
        })) {
            for (String literal : new String[] {"127.0.0.1", "::1"}) {
                InetSocketAddress address = resolve(loop, group, literal).get(5, TimeUnit.SECONDS);
                assertEquals(InetAddress.getByName(literal), address.getAddress());
            }
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void aNameThatDoesNotResolveFailsThePromise() throws Exception {
        EventLoop loop = new DefaultEventLoop();
        try (UpstreamResolver group = new UpstreamResolver(host -> {
            throw new UnknownHostException(host);
        })) {
            Future<InetSocketAddress> resolved = resolve(loop, group, "no.such.host");
            assertTrue(resolved.await(5, TimeUnit.SECONDS));
            assertInstanceOf(UnknownHostException.class, resolved.cause());
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Asks the resolver of {@code loop} for {@code host}:6379, on the loop, as a connect does. */
    private static Future<InetSocketAddress> resolve(EventLoop loop, UpstreamResolver group, String host)
            throws Exception {
        return loop.submit(() -> {
            AddressResolver<InetSocketAddress> resolver = group.getResolver(loop);
            return resolver.resolve(InetSocketAddress.createUnresolved(host, 6379));
        }).get();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
