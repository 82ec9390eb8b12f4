package io.respgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.respgate.codec.ReplyProtocolException;
import io.respgate.codec.ReplyScanner;
import io.respgate.proxy.metrics.LoopCounters;

/**
 * Reads Redis's byte stream, cuts it into whole reply frames with the {@link ReplyScanner} and
 * hands each frame to the session in place. Bytes that do not yet form a whole frame are kept
 * until the rest arrives.
 */
final class UpstreamReplyHandler extends ChannelInboundHandlerAdapter {
    /** Deep enough for any reply Redis builds itself; Lua can nest replies, but not this deep. */
    private static final int MAX_REPLY_DEPTH = 512;
    private static final long MAX_REPLY_BULK = 1L << 30;

    private final ClientSession session;
    private final LoopCounters counters;
    private final ReplyScanner scanner = new ReplyScanner(MAX_REPLY_DEPTH, MAX_REPLY_BULK);
    private ByteBuf cumulation;

    UpstreamReplyHandler(ClientSession session) {
        this.session = session;
        this.counters = session.counters();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        counters.upstreamBytesIn(in.readableBytes());
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        try {
            int length;
            while ((length = scanner.nextFrame(cumulation)) >= 0) {
                int index = cumulation.readerIndex();
                byte type = scanner.lastFrameType();
                cumulation.skipBytes(length);
                session.upstreamFrame(cumulation, index, length, type);
            }
        } catch (ReplyProtocolException e) {
            session.upstreamBroken("malformed reply from Redis: " + e.getMessage());
            ctx.close();
        } finally {
            session.upstreamBatchEnd();
            if (cumulation != null && !cumulation.isReadable()) {
                cumulation.release();
                cumulation = null;
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        session.upstreamReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.upstreamWritabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        session.upstreamClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        session.upstreamBroken(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        ctx.close();
    }
}
