package io.respgate.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import io.respgate.proxy.tls.UpstreamTls;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Asks Redis whether it answers: a fresh connection (with TLS when configured) sends PING and
 * counts any reply, {@code -NOAUTH} included, as an answer. Used by {@code /readyz}.
 */
final class UpstreamProbe {
    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long TIMEOUT_MILLIS = 2000;

    private UpstreamProbe() {
    }

    static CompletableFuture<Boolean> answers(EventLoopGroup group, Transport transport, UpstreamResolver resolver,
                                              String host, int port, UpstreamTls tls) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(transport.socketChannelClass()).resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.writeAndFlush(Unpooled.wrappedBuffer(PING));
                                ctx.fireChannelActive();
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                boolean any = msg instanceof ByteBuf b && b.isReadable();
                                ReferenceCountUtil.release(msg);
                                if (any) {
                                    result.complete(true);
                                    ctx.close();
                                }
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                result.complete(false);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                result.complete(false);
                                ctx.close();
                            }
                        });
                    }
                });
        bootstrap.connect(host, port).addListener(f -> {
            if (!f.isSuccess()) {
                result.complete(false);
            }
        });
        return result.completeOnTimeout(false, TIMEOUT_MILLIS + 500, TimeUnit.MILLISECONDS);
    }
}
