package io.respgate.proxy;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.resolver.SimpleNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Resolves the upstream host name off the event loops. Netty's default resolver calls
 * {@link InetAddress#getByName} on the loop that connects, so a slow name server would stall every
 * client of that loop for as long as the look-up takes; here the look-up runs on one thread of its
 * own and the connect goes on when it answers. An IP literal needs no look-up and is answered at
 * once. The system resolver (hosts file, resolv.conf, the JVM's address cache) is kept as it is.
 */
final class UpstreamResolver extends AddressResolverGroup<InetSocketAddress> {
    /** A blocking look-up of every address of a host name. */
    interface NameLookup {
        InetAddress[] all(String host) throws UnknownHostException;
    }

    private final NameLookup names;
    private final ExecutorService lookups = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "respgate-dns");
        t.setDaemon(true);
        return t;
    });

    UpstreamResolver() {
        this(InetAddress::getAllByName);
    }

    UpstreamResolver(NameLookup names) {
        this.names = names;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
        return new InetSocketAddressResolver(loop, new Lookup(loop));
    }

    @Override
    public void close() {
        super.close();
        lookups.shutdownNow();
    }

    private final class Lookup extends SimpleNameResolver<InetAddress> {
        Lookup(EventExecutor loop) {
            super(loop);
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            InetAddress literal = literal(host);
            if (literal != null) {
                promise.setSuccess(literal);
                return;
            }
            submit(promise, () -> promise.trySuccess(names.all(host)[0]));
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            InetAddress literal = literal(host);
            if (literal != null) {
                promise.setSuccess(List.of(literal));
                return;
            }
            submit(promise, () -> promise.trySuccess(Arrays.asList(names.all(host))));
        }

        private void submit(Promise<?> promise, Lookup.Task task) {
            try {
                lookups.execute(() -> {
                    try {
                        task.run();
                    } catch (UnknownHostException | RuntimeException e) {
                        promise.tryFailure(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                promise.tryFailure(e); // the server is closing
            }
        }

        private interface Task {
            void run() throws UnknownHostException;
        }
    }

    /** The address {@code host} spells, if it is an IP literal; null for a name. */
    private static InetAddress literal(String host) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(host, bytes);
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
    }
}
