package io.respgate.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.ReferenceCountUtil;
import io.netty.handler.ssl.SslHandler;
import io.respgate.proxy.metrics.ProxyMetrics;
import io.respgate.proxy.tls.UpstreamTls;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DuplexChannel;
import io.respgate.codec.CommandFrame;

import javax.net.ssl.SSLException;
import java.util.ArrayDeque;

/**
 * One client's own connection to Redis, opened on the client's event loop when the first command
 * needs it. Commands written before the connection is up wait in a small queue (the client is not
 * read meanwhile, so the queue is bounded by one read batch).
 */
final class UpstreamLink {
    private enum State { CONNECTING, CONNECTING_THEN_CLOSE, OPEN, CLOSED }

    private final ClientSession session;
    private final ProxyMetrics metrics;
    private final SessionSettings settings;
    /** This connect is the one let through at the end of a backoff window. */
    private boolean probe;
    private UpstreamReplyHandler replies;
    private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();
    private Channel channel;
    private State state = State.CONNECTING;
    private boolean unflushed;
    /** The client half-closed: once everything is written, half-close towards Redis as well. */
    private boolean finishWhenOpen;
    /** A run of consecutive client frames, sent as one slice of the buffer they were read into. */
    private ByteBuf runSource;
    private int runStart;
    private int runEnd;

    private UpstreamLink(ClientSession session, SessionSettings settings) {
        this.session = session;
        this.settings = settings;
        this.metrics = settings.metrics();
    }

    static UpstreamLink open(ClientSession session, Channel client, SessionSettings settings) {
        UpstreamLink link = new UpstreamLink(session, settings);
        UpstreamBackoff.Admission admission = settings.backoff().admit();
        if (admission == UpstreamBackoff.Admission.FAIL_FAST) {
            // Like a connect that failed at once: what the client sent with it waits in the queue
            // until the task answers it, in order, with the last failure's error.
            settings.metrics().upstreamConnectSkipped();
            UpstreamBackoff.Failure failure = settings.backoff().lastFailure();
            client.eventLoop().execute(() -> link.failedFast(failure));
            return link;
        }
        link.probe = admission == UpstreamBackoff.Admission.PROBE;
        Bootstrap bootstrap = new Bootstrap()
                .group(client.eventLoop())
                .channel(settings.transport().socketChannelClass())
                .resolver(settings.resolver()) // never a blocking look-up on the loop
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024));
        UpstreamTls tls = settings.upstreamTls();
        link.replies = new UpstreamReplyHandler(session, settings.limits());
        if (tls == null) {
            bootstrap.handler(link.replies);
        } else {
            bootstrap.handler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                    ch.pipeline().addLast("replies", link.replies);
                }
            });
        }
        ChannelFuture connect = bootstrap.connect(settings.upstreamHost(), settings.upstreamPort());
        link.channel = connect.channel();
        if (connect.isDone()) {
            // Failed at once (a host name that does not resolve): the session must hear of it after
            // it has taken this link and queued the command that asked for it, not from inside open.
            client.eventLoop().execute(() -> link.connectDone(connect, tls));
        } else {
            connect.addListener(f -> link.connectDone(connect, tls));
        }
        return link;
    }

    private void connectDone(ChannelFuture connect, UpstreamTls tls) {
        if (connect.isSuccess()) {
            settings.upstreamChannels().track(channel); // before TLS: Redis lists it from accept on
        }
        if (!connect.isSuccess() || tls == null) {
            connected(connect.isSuccess(), connect.cause());
            return;
        }
        // Commands wait in the queue until Redis's certificate is verified.
        channel.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> connected(
                h.isSuccess(), h.isSuccess() ? null
                        : new SSLException("TLS handshake with Redis failed: " + h.cause().getMessage(), h.cause())));
    }

    private void connected(boolean success, Throwable cause) {
        UpstreamBackoff.Failure failure = null;
        if (success) {
            settings.backoff().succeeded(probe);
            metrics.upstreamOpened();
            channel.closeFuture().addListener(f -> metrics.upstreamClosed());
        } else {
            metrics.upstreamConnectFailed();
            failure = UpstreamBackoff.Failure.of(cause);
            long window = settings.backoff().failed(failure, probe);
            if (window > 0) {
                ClientSession.log.warn("cannot reach Redis at {}:{}: {}; connects back off for {} ms",
                        settings.upstreamHost(), settings.upstreamPort(),
                        cause == null ? "unknown error" : cause.getMessage(), window / 1_000_000);
            }
        }
        if (state == State.CLOSED) {
            channel.close();
            return;
        }
        if (state == State.CONNECTING_THEN_CLOSE) {
            state = State.CLOSED;
            if (success) {
                writeWaiting();
                channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            } else {
                releaseWaiting();
            }
            return;
        }
        if (!success) {
            state = State.CLOSED;
            // The session hears of this failure here, not again as a broken or closed connection.
            if (channel.pipeline().get(UpstreamReplyHandler.class) != null) {
                channel.pipeline().replace(UpstreamReplyHandler.class, "failed", new FailedConnection());
            }
            channel.close();
            releaseWaiting();
            session.upstreamUnavailable(failure);
            return;
        }
        state = State.OPEN;
        writeWaiting();
        channel.flush();
        if (finishWhenOpen) {
            finishSending();
        }
        session.upstreamReady();
    }

    /** The backoff window was in force: no connect was attempted. */
    private void failedFast(UpstreamBackoff.Failure failure) {
        if (state == State.CLOSED) {
            return;
        }
        boolean wanted = state == State.CONNECTING;
        state = State.CLOSED;
        dropRun();
        releaseWaiting();
        if (wanted) {
            session.upstreamUnavailable(failure);
        }
    }

    private void writeWaiting() {
        while (!waiting.isEmpty()) {
            ByteBuf command = waiting.poll();
            session.counters().upstreamBytesOut(command.readableBytes());
            channel.write(command, channel.voidPromise());
        }
    }

    /**
     * Queues a client's frame for Redis as it is. Frames that follow each other in the client's
     * read buffer travel as one slice, so a pipeline costs one write, not one per command.
     */
    void forward(CommandFrame frame) {
        ByteBuf buffer = frame.buffer();
        int start = frame.start();
        if (buffer == runSource && start == runEnd) {
            runEnd += frame.length();
            return;
        }
        endRun();
        if (state == State.CLOSED) {
            return; // nothing reaches a closed link, and nothing must stay retained for it
        }
        runSource = buffer.retain();
        runStart = start;
        runEnd = start + frame.length();
    }

    private void endRun() {
        if (runSource != null) {
            // The run's reference to the buffer passes to the slice: releasing the slice releases it.
            ByteBuf run = runSource.slice(runStart, runEnd - runStart);
            runSource = null;
            write(run);
        }
    }

    /** Releases the run not yet written: the link closed before it was flushed. */
    private void dropRun() {
        if (runSource != null) {
            runSource.release();
            runSource = null;
        }
    }

    /** Queues {@code command} for Redis; ownership passes to the link. Flushed by {@link #flush()}. */
    void write(ByteBuf command) {
        endRun();
        switch (state) {
            case OPEN -> {
                session.counters().upstreamBytesOut(command.readableBytes());
                channel.write(command, channel.voidPromise());
                unflushed = true;
            }
            case CONNECTING, CONNECTING_THEN_CLOSE -> waiting.add(command);
            case CLOSED -> command.release();
        }
    }

    void flush() {
        endRun();
        if (unflushed) {
            unflushed = false;
            channel.flush();
        }
    }

    /** Bytes this link holds: a reply received in part, and commands not yet written to the socket. */
    long bufferedBytes() {
        long held = replies == null ? 0 : replies.pendingBytes();
        if (channel != null) {
            held += ClientSession.outboundBytes(channel);
        }
        return held;
    }

    /** Whether more commands may be sent now without buffering beyond the socket's watermark. */
    boolean acceptsWrites() {
        return state == State.OPEN && channel.isWritable();
    }

    boolean isClosed() {
        return state == State.CLOSED;
    }

    /** Stops or resumes reading replies, following the client's ability to take them. */
    void setReading(boolean reading) {
        if (state != State.CLOSED && channel != null) {
            channel.config().setAutoRead(reading);
        }
    }

    /**
     * The client will send nothing more: pass that on to Redis (a half close) once what it sent is
     * written. Redis then does what it does for a direct client that half-closes: it runs what it
     * read, sends the replies, abandons blocked commands and closes, which closes the client.
     */
    void finishSending() {
        switch (state) {
            case CONNECTING -> finishWhenOpen = true;
            case OPEN -> {
                endRun();
                channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                    if (channel.isActive()) {
                        ((DuplexChannel) channel).shutdownOutput();
                    }
                });
                unflushed = false;
            }
            default -> {
            }
        }
    }

    /**
     * Closes once what the client sent has reached Redis: a client that writes commands and leaves
     * at once still has them run, as it would talking to Redis directly.
     */
    void closeAfterWrites() {
        switch (state) {
            case CONNECTING -> {
                endRun();
                state = State.CONNECTING_THEN_CLOSE;
            }
            case OPEN -> {
                endRun();
                state = State.CLOSED;
                channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            default -> {
            }
        }
    }

    void close() {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.CONNECTING_THEN_CLOSE) {
            state = State.CLOSED;
            dropRun();
            releaseWaiting();
            return;
        }
        boolean wasOpen = state == State.OPEN;
        state = State.CLOSED;
        dropRun();
        releaseWaiting();
        if (wasOpen) {
            channel.close();
        }
        // a connect in progress is closed by its listener once it completes
    }

    /** Stands in for the reply handler on a connection that failed: its late events are expected. */
    private static final class FailedConnection extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // already reported by the connect or handshake future
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void releaseWaiting() {
        ByteBuf b;
        while ((b = waiting.poll()) != null) {
            b.release();
        }
    }
}
