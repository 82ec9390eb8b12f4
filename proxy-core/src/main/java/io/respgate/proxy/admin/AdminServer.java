package io.respgate.proxy.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.respgate.config.AdminConfig;
import io.respgate.proxy.Transport;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The admin HTTP endpoint, on its own event loop so that it answers while the proxy's loops are
 * busy or Redis is stalled.
 */
public final class AdminServer implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 16 * 1024;

    private final EventLoopGroup group;
    private final ExecutorService blocking;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, ExecutorService blocking, Channel channel) {
        this.group = group;
        this.blocking = blocking;
        this.channel = channel;
    }

    public static AdminServer start(AdminConfig config, AdminActions actions, Transport transport)
            throws InterruptedException {
        EventLoopGroup group = transport.newGroup(1, "respgate-admin");
        ExecutorService blocking = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "respgate-admin-work");
            t.setDaemon(true);
            return t;
        });
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ReadTimeoutHandler(30, TimeUnit.SECONDS));
                            ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192));
                            ch.pipeline().addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES));
                            ch.pipeline().addLast(new AdminHandler(actions, config.token().orElse(null), blocking));
                        }
                    })
                    .bind(config.address(), config.port()).sync().channel();
            return new AdminServer(group, blocking, channel);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            blocking.shutdownNow();
            throw e;
        }
    }

    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        blocking.shutdownNow();
    }
}
