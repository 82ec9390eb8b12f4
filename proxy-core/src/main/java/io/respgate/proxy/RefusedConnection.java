package io.respgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The whole pipeline of a connection refused at accept ({@code limits.max_clients},
 * {@code limits.max_connections_per_source}): like Redis, one error reply and a close. The error is
 * followed by a half close, and what the client sends meanwhile is read and dropped until it closes
 * too or {@link #LINGER_MILLIS} pass: closing a socket with unread input would send a reset, which
 * can make the client's kernel drop the error before the client reads it.
 *
 * <p>Over TLS nothing can be said before a handshake, and a handshake is not spent on a refused
 * connection: it is closed at once.
 */
final class RefusedConnection extends ChannelInboundHandlerAdapter {
    static final String MAX_CLIENTS = "ERR max number of clients reached";
    static final String MAX_PER_SOURCE = "ERR max number of clients reached for this source address";
    static final long LINGER_MILLIS = 1000;

    private static final byte[] MAX_CLIENTS_REPLY = ("-" + MAX_CLIENTS + "\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAX_PER_SOURCE_REPLY = ("-" + MAX_PER_SOURCE + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private final byte[] reply;

    RefusedConnection(boolean perSource) {
        this.reply = perSource ? MAX_PER_SOURCE_REPLY : MAX_CLIENTS_REPLY;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ByteBuf error = Unpooled.wrappedBuffer(reply);
        ctx.writeAndFlush(error).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && ctx.channel() instanceof DuplexChannel duplex && duplex.isActive()) {
                duplex.shutdownOutput();
            } else {
                ctx.close();
            }
        });
        ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
