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
    private final ClientSession session;
    private final LoopCounters counters;
    /** {@code limits.max_reply_depth} and {@code max_reply_bulk_length}, checked as the reply is scanned. */
    private final ReplyScanner scanner;
    /** {@code limits.max_reply_size}: a reply is held whole before it is relayed, so it is bounded. */
    private final long maxReplySize;
    private final long maxReplyBulk;
    private final int maxReplyDepth;
    private ByteBuf cumulation;

    UpstreamReplyHandler(ClientSession session, ClientLimits limits) {
        this.session = session;
        this.counters = session.counters();
        this.scanner = new ReplyScanner(limits.maxReplyDepth(), limits.maxReplyBulk());
        this.maxReplySize = limits.maxReplySize();
        this.maxReplyBulk = limits.maxReplyBulk();
        this.maxReplyDepth = limits.maxReplyDepth();
    }

    /** Bytes of a reply received in part, held until the rest arrives. */
    int pendingBytes() {
        ByteBuf c = cumulation;
        return c == null ? 0 : c.readableBytes();
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
            if (cumulation.readableBytes() > maxReplySize) {
                session.replyRefused("larger than limits.max_reply_size (" + maxReplySize + " bytes)");
                ctx.close();
            }
        } catch (ReplyProtocolException e) {
            session.replyRefused(why(e.getMessage()));
            ctx.close();
        } finally {
            session.upstreamBatchEnd();
            if (cumulation != null && !cumulation.isReadable()) {
                cumulation.release();
                cumulation = null;
            }
        }
    }

    /**
     * The scanner's complaint in the words of the limit that made it: it refuses a blob longer than
     * {@code max_reply_bulk_length} as an invalid length, and Redis sends no malformed reply.
     */
    private String why(String scannerMessage) {
        if (scannerMessage.contains("invalid blob length")) {
            return "a bulk string longer than limits.max_reply_bulk_length (" + maxReplyBulk + " bytes)";
        }
        if (scannerMessage.contains("reply nested deeper")) {
            return "nested deeper than limits.max_reply_depth (" + maxReplyDepth + ")";
        }
        return "malformed (" + scannerMessage + ")";
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
