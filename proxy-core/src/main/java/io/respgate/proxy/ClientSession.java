package io.respgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.respgate.codec.CommandFrame;
import io.respgate.codec.EmptyRequest;
import io.respgate.codec.ProtocolViolation;
import io.respgate.codec.RespReplies;
import io.respgate.codec.RequestDecoder;
import io.respgate.policy.CertificateIdentity;
import io.respgate.policy.Decision;
import io.respgate.policy.PolicySnapshot;
import io.respgate.policy.command.CommandSpec;
import io.respgate.proxy.metrics.LoopCounters;
import io.respgate.proxy.metrics.ProxyMetrics;
import io.respgate.proxy.tls.ClientCertificates;
import io.respgate.proxy.tls.TlsFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One client connection: takes each decoded command, asks the policy, and either forwards it
 * to the client's own {@link UpstreamLink} or answers it locally, keeping every reply in request
 * order through the {@link ReplyOrderer}. It tracks exactly the session state that changes how
 * replies are counted (protocol version, subscriptions, MULTI, CLIENT REPLY), and nothing more.
 *
 * <p>Confined to the client's event loop, which is also the upstream channel's, so nothing here
 * is shared or locked.
 */
final class ClientSession extends ChannelInboundHandlerAdapter {
    static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    /** The error for a refused connect; the others differ in the reason: see {@link UpstreamBackoff.Failure}. */
    static final String UPSTREAM_UNAVAILABLE = UpstreamBackoff.Failure.REFUSED.error;
    static final String UPSTREAM_AUTH_FAILED = "ERR upstream unavailable: Redis refused RespGate's credentials";
    static final String NOAUTH = "NOAUTH Authentication required.";
    static final String HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, otherwise "
            + "the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
            + "RESP protocol version at the same time";
    static final String AUTH_WITHOUT_DEFAULT_PASSWORD = "ERR AUTH <password> called without any password configured "
            + "for the default user. Are you sure your configuration is correct?";
    static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
    private static final byte[] REPLY = "REPLY".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ON = "ON".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OFF = "OFF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SKIP = "SKIP".getBytes(StandardCharsets.US_ASCII);
    /** An empty request: Redis answers nothing, but ends a request there (see {@link #endRequestUpstream}). */
    private static final byte[] EMPTY_REQUEST = "*0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DISCARD_COMMAND = "*1\r\n$7\r\nDISCARD\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNWATCH_COMMAND = "*1\r\n$7\r\nUNWATCH\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String EXEC_REFUSED = "EXECABORT Transaction discarded because of: ";
    private static final String SUBSCRIBED_ONLY = "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are"
            + " allowed in this context";
    /** {@link #database} after a SELECT Redis did not answer, for a user limited to some databases. */
    private static final long UNCONFIRMED_DATABASE = Long.MIN_VALUE + 1;
    /** In {@link #held}: the client half-closed after the commands before it. */
    private static final Object INPUT_SHUTDOWN = new Object();

    private final SessionSettings settings;
    private final ReplyOrderer orderer;
    private final LatencySampler latency;
    /** This connection's event loop's counters; set once the channel is registered. */
    private LoopCounters counters;
    private final Subscriptions subscriptions = new Subscriptions();
    /**
     * Commands (and what else the client sent after them) held until Redis confirms the mode a
     * command before them changes: see {@link #waitsForMode}. Reading stops meanwhile.
     */
    private final java.util.ArrayDeque<Object> held = new java.util.ArrayDeque<>(0);
    private ChannelHandlerContext ctx;
    private UpstreamLink upstream;
    private SessionAuth auth;
    private RequestDecoder decoder;

    private boolean resp3;
    /** The command table id of the command being handled, for its reply's metrics; -1 when not looked up. */
    private int commandId = -1;
    /** The database Redis confirmed for this connection, for users limited to some databases. */
    private long database;
    /** Databases asked for by SELECTs still waiting for Redis's answer, in order. */
    private final java.util.ArrayDeque<Long> pendingSelects = new java.util.ArrayDeque<>(2);
    private boolean inMulti;
    private boolean multiHasLocalError;
    private boolean repliesOff;
    private boolean skipNextReply;
    /** MONITOR was sent: Redis streams to this client unasked, and never times it out. */
    private boolean monitoring;
    /** QUIT, a protocol error or a broken upstream: no further command is taken. */
    private boolean closing;
    /** The server is shutting down: no further command is read; close once replies are out. */
    private boolean draining;
    private boolean closeScheduled;

    /** This connection's event loop's timer, and this session's place in it (-1: not in it). */
    private LoopTimers timers;
    int timerIndex = -1;
    /** When the client connected, or was signed out by RESET: {@code limits.auth_timeout} runs from here. */
    private long signInClock;
    /** Last read from the client or reply written to it ({@code limits.idle_timeout}, like Redis's lastinteraction). */
    private long lastActivity;
    /** When the request now partly received started, or last made progress; 0: none is partial. */
    private long requestStartedAt;
    /** Bytes of the partial request when {@link #requestStartedAt} was taken. */
    private int requestMark;
    /** First tick that saw a reply owed by Redis, since it last owed none; 0: none owed. */
    private long waitStart;
    /** Last read batch from Redis, or the last time Redis was not read because the client was full. */
    private long upstreamProgressAt;

    /** The bytes this session last reported to {@link BufferedMemory}. */
    private long accounted;

    private boolean clientUnflushed;
    /** A run of upstream bytes that go to the client as they are, written as one slice. */
    private ByteBuf passBuf;
    private int passStart;
    private int passEnd;

    ClientSession(SessionSettings settings) {
        this.settings = settings;
        this.orderer = new ReplyOrderer(Math.min(64, settings.maxPendingReplies()));
        this.latency = new LatencySampler(settings.metrics());
    }

    /** The counters of this connection's event loop, shared with its upstream link (same loop). */
    LoopCounters counters() {
        return counters;
    }

    // ---------------------------------------------------------------- client side

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.counters = settings.metrics().loopCounters(ctx.channel().eventLoop());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        decoder = ctx.pipeline().get(RequestDecoder.class);
        timers = settings.timers(ctx.channel().eventLoop());
        signInClock = System.nanoTime();
        lastActivity = signInClock;
        timers.add(this);
        SocketAddress remote = ctx.channel().remoteAddress();
        InetSocketAddress inet = remote instanceof InetSocketAddress a ? a : null;
        auth = new SessionAuth(settings.policy(), settings.lockout(), settings.connections(),
                inet == null ? null : inet.getAddress(), settings.metrics(), settings.audit(),
                settings.connectionIds().incrementAndGet(),
                inet == null ? String.valueOf(remote) : inet.getAddress().getHostAddress() + ":" + inet.getPort(),
                settings.seenSources());
        if (decoder != null) {
            decoder.setAuthenticated(false); // Redis's stricter limits until the client signs in
        }
        // Over TLS nothing is read before the handshake, whose client certificate may name the user.
        if (ctx.pipeline().get(SslHandler.class) == null) {
            if (auth.signInOpenDefault()) {
                signedIn();
            }
        }
        ctx.fireChannelActive();
    }

    /** The TLS handshake finished: sign in by the client certificate, if it maps to a user. */
    private void handshakeDone(SslHandshakeCompletionEvent event) {
        if (!event.isSuccess()) {
            settings.metrics().handshakeFailed(TlsFailures.reason(event.cause()));
            log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), event.cause().toString());
            ctx.close();
            return;
        }
        settings.metrics().handshakeSucceeded();
        // Acknowledge the client's last handshake flight now: a client using Nagle holds its first
        // command until then, and a delayed ACK would cost it some 40 ms.
        if (ctx.channel() instanceof io.netty.channel.epoll.EpollSocketChannel epoll) {
            epoll.config().setTcpQuickAck(true);
        }
        CertificateIdentity peer = ClientCertificates.identityOf(ctx.pipeline().get(SslHandler.class));
        String refusal = auth.signInWithCertificate(peer, settings.requireMappedCertificate());
        if (refusal != null) {
            // Like Redis's own "max number of clients reached": one error, then the connection closes.
            closing = true;
            ctx.writeAndFlush(RespReplies.error(ctx.alloc(), refusal)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (auth.user() != null) {
            signedIn();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof CommandFrame frame) {
            if (!held.isEmpty()) {
                held.add(frame); // behind a held command: ownership passes to the queue
                return;
            }
            CommandKind kind = CommandKind.of(frame);
            if (!closing && waitsForMode(kind, frame)) {
                held.add(frame);
                readMoreIfAllowed();
                return;
            }
            try {
                if (!closing) {
                    command(frame, kind);
                }
            } finally {
                frame.release();
            }
        } else if (msg instanceof ProtocolViolation violation) {
            if (!held.isEmpty()) {
                held.add(violation);
            } else {
                protocolViolation(violation);
            }
        } else if (msg == EmptyRequest.INSTANCE) {
            if (!held.isEmpty()) {
                held.add(msg);
            } else {
                emptyRequest();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Whether the command must wait before it is handled: in RESP2 with a subscription Redis
     * refuses MULTI, CLIENT REPLY, AUTH and HELLO, which the proxy otherwise tracks or answers
     * itself, so while a command that may change that mode is still in flight, it cannot tell
     * what Redis will do. Rare (a client does not usually pipeline these behind a SUBSCRIBE or
     * HELLO), and it costs one round trip.
     */
    private boolean waitsForMode(CommandKind kind, CommandFrame frame) {
        if (!orderer.modeChangesPending()) {
            return false;
        }
        return switch (kind) {
            case MULTI, AUTH, HELLO -> true;
            case CLIENT -> frame.argCount() == 3 && frame.argEqualsIgnoreCase(1, REPLY);
            default -> false;
        };
    }

    /** Takes the held commands whose turn came, in order; stops at one that must wait again. */
    private void resumeHeld() {
        boolean ran = false;
        while (!held.isEmpty()) {
            Object next = held.peek();
            if (next instanceof CommandFrame frame) {
                CommandKind kind = CommandKind.of(frame);
                if (!closing && waitsForMode(kind, frame)) {
                    break;
                }
                held.poll();
                try {
                    if (!closing) {
                        command(frame, kind);
                        ran = true;
                    }
                } finally {
                    frame.release();
                }
            } else {
                held.poll();
                if (next instanceof ProtocolViolation violation) {
                    protocolViolation(violation);
                } else if (next == EmptyRequest.INSTANCE) {
                    emptyRequest();
                } else if (next == INPUT_SHUTDOWN) {
                    inputShutdown();
                }
            }
        }
        if (ran && upstream != null) {
            upstream.flush();
            latency.flushed();
        }
    }

    private void releaseHeld() {
        Object next;
        while ((next = held.poll()) != null) {
            ReferenceCountUtil.release(next);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        long now = timers.now();
        lastActivity = now;
        if (decoder != null && settings.limits().requestNanos() > 0) {
            trackPartialRequest(now);
        }
        if (upstream != null) {
            upstream.flush();
            latency.flushed();
        }
        flushClient();
        readMoreIfAllowed();
        account();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        if (upstream != null) {
            upstream.setReading(writable);
        }
        readMoreIfAllowed();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        closeScheduled = true;
        if (timers != null) {
            timers.remove(this);
        }
        settings.memory().add(-accounted);
        accounted = 0;
        passBuf = null;
        orderer.releaseAll();
        releaseHeld();
        if (auth != null) {
            auth.signOut();
        }
        if (upstream != null) {
            upstream.closeAfterWrites(); // Redis still runs what the client sent before leaving
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == PolicyReloaded.INSTANCE) {
            if (auth != null && auth.user() != null && auth.currentSnapshot() == null) {
                userRevoked();
            }
        } else if (evt instanceof SslHandshakeCompletionEvent handshake) {
            handshakeDone(handshake);
        } else if (evt == DrainRequest.INSTANCE) {
            draining = true;
            closeIfDone();
        } else if (evt instanceof ChannelInputShutdownEvent) {
            if (held.isEmpty()) {
                inputShutdown();
            } else {
                held.add(INPUT_SHUTDOWN);
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * The client sent everything it will send (a half close, as `nc -N` does). Redis is told the
     * same way, so what happens next is what Redis does for a direct client.
     */
    private void inputShutdown() {
        closing = true;
        if (upstream != null) {
            upstream.finishSending();
        }
        closeIfDone();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private void command(CommandFrame frame, CommandKind kind) {
        commandId = -1;
        if (kind == CommandKind.QUIT) {
            // Redis executes nothing pipelined after QUIT; neither does the proxy forward it.
            answer(RespReplies.ok());
            closing = true;
            closeIfDone();
            return;
        }
        if (kind == CommandKind.AUTH) {
            authCommand(frame);
            return;
        }
        if (kind == CommandKind.HELLO) {
            helloCommand(frame);
            return;
        }
        if (auth.user() == null) {
            // Before authentication only AUTH, HELLO, QUIT and RESET run, and nothing reaches Redis.
            if (kind == CommandKind.RESET) {
                answer(RespReplies.simpleString(ctx.alloc(), "RESET"));
            } else {
                refuse(kind, NOAUTH);
            }
            return;
        }
        PolicySnapshot policy = auth.currentSnapshot();
        if (policy == null) {
            userRevoked();
            return;
        }
        CommandSpec spec = policy.table().lookup(frame);
        Decision decision = decide(policy, frame, spec);
        commandId = spec == null ? -1 : spec.id();
        if (!decision.allowed()) {
            if (auth.user().shadowed(decision)) {
                // Shadow mode: reported, then forwarded as if allowed.
                settings.metrics().wouldDeny(commandId);
                if (settings.audit().enabled()) {
                    settings.audit().wouldDeny(auth.connection(), auth.user().name(), frame, spec, decision.ruleId());
                }
            } else {
                settings.metrics().denied(commandId, spec == null ? null : spec.name(), auth.user().name(),
                        decision.ruleId());
                if (settings.audit().enabled()) {
                    settings.audit().denied(auth.connection(), auth.user().name(), frame, spec, decision.ruleId());
                }
                refuse(kind, decision.error());
                return;
            }
        }
        counters.forwarded(commandId);
        if (settings.audit().sensitive(spec)) {
            settings.audit().allowedSensitive(auth.connection(), auth.user().name(), frame, spec);
        }
        if (!auth.user().allowsDatabase(database) && kind != CommandKind.SELECT && kind != CommandKind.RESET
                && kind != CommandKind.PING && kind != CommandKind.CLIENT) {
            // A connection starts in db 0; a user limited to other databases must SELECT one first.
            // CLIENT is about the connection, not a database (and CLIENT REPLY ON must stay possible).
            refuse(kind, database == UNCONFIRMED_DATABASE
                    ? "NOPERM RespGate cannot tell which database a SELECT sent with CLIENT REPLY off or SKIP"
                            + " chose; SELECT an allowed database first"
                    : "NOPERM this user may not use database " + database + "; SELECT an allowed database first");
            return;
        }
        switch (kind) {
            case MULTI -> {
                if (!inMulti && !subscribedResp2()) { // Redis refuses MULTI while subscribed
                    inMulti = true;
                    multiHasLocalError = false;
                }
                forward(frame, ReplyEffect.NONE, 1);
            }
            case EXEC -> exec(frame);
            case DISCARD -> {
                inMulti = false;
                multiHasLocalError = false;
                forward(frame, ReplyEffect.NONE, 1);
            }
            case RESET -> reset(frame);
            case MONITOR -> {
                monitoring = true;
                forward(frame, ReplyEffect.NONE, 1);
            }
            case CLIENT -> client(frame);
            case SELECT -> {
                if (!refusedInMulti(frame)) {
                    long target = frame.argCount() == 2 ? frame.argAsLong(1) : Long.MIN_VALUE;
                    if (repliesOff || skipNextReply) {
                        // No reply will say whether Redis accepted it: an index that cannot be one
                        // changes nothing; for a user limited to some databases, any other leaves the
                        // database unknown (one past Redis's `databases` is refused too).
                        if (target < 0 || target > Integer.MAX_VALUE) {
                            target = Long.MIN_VALUE;
                        } else if (!auth.user().databases().isEmpty()) {
                            target = UNCONFIRMED_DATABASE;
                        }
                    }
                    pendingSelects.add(target);
                    forward(frame, ReplyEffect.SELECT, 1);
                }
            }
            case SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE -> {
                if (!refusedInMulti(frame)) {
                    forward(frame, ReplyEffect.SUBSCRIPTION, frame.argCount() - 1); // 0: an arity error
                }
            }
            case UNSUBSCRIBE, PUNSUBSCRIBE, SUNSUBSCRIBE -> {
                if (!refusedInMulti(frame)) {
                    int frames = frame.argCount() > 1 ? frame.argCount() - 1 : ReplyOrderer.UNTIL_NONE_LEFT;
                    forward(frame, ReplyEffect.SUBSCRIPTION, frames);
                }
            }
            default -> forward(frame, ReplyEffect.NONE, 1);
        }
    }

    /** Asks the gate; an exception is a denial, never a pass. */
    private Decision decide(PolicySnapshot policy, CommandFrame frame, CommandSpec spec) {
        try {
            return policy.decide(auth.user(), frame, spec);
        } catch (RuntimeException e) {
            log.error("policy check failed; command denied", e);
            return Decision.deny("ERR RespGate could not check this command and refused it", "internal-error");
        }
    }

    private void exec(CommandFrame frame) {
        if (inMulti && multiHasLocalError) {
            // Redis aborts a transaction in which a command was refused while queueing; the proxy
            // refused one itself, so Redis does not know.
            abortTransaction(EXECABORT);
            return;
        }
        inMulti = false;
        forward(frame, ReplyEffect.NONE, 1);
    }

    /** A command refused here, answered as Redis answers a refusal of it. */
    private void refuse(CommandKind kind, String error) {
        if (kind == CommandKind.EXEC) {
            // Redis turns any refusal of EXEC itself (arity, NOAUTH, NOPERM, ...) into EXECABORT.
            abortTransaction(EXEC_REFUSED + (error.startsWith("ERR ") ? error.substring(4) : error));
        } else {
            answerError(error);
        }
    }

    /**
     * EXEC is refused here: like Redis, the transaction ends and the keys watched are forgotten,
     * by a DISCARD (or, outside MULTI, an UNWATCH) whose reply the client never sees.
     */
    private void abortTransaction(String error) {
        boolean transaction = inMulti;
        inMulti = false;
        multiHasLocalError = false;
        if (transaction || (upstream != null && !upstream.isClosed() && auth.user() != null)) {
            byte[] command = transaction ? DISCARD_COMMAND : UNWATCH_COMMAND;
            UpstreamLink link = upstream(); // first: a new link queues the proxy's own AUTH ahead
            link.write(ctx.alloc().buffer(command.length).writeBytes(command));
            if (repliesOff || skipNextReply) {
                skipNextReply = false; // Redis applies a pending SKIP to the command just sent
                return;
            }
            orderer.addInternal(ReplyEffect.SWALLOW);
        }
        answer(RespReplies.error(ctx.alloc(), error));
    }

    /** Whether Redis refuses all but (P|S)(UN)SUBSCRIBE, PING, QUIT and RESET: see {@link #waitsForMode}. */
    private boolean subscribedResp2() {
        return !resp3 && subscriptions.any();
    }

    private void reset(CommandFrame frame) {
        auth.reset(); // like Redis: back to the default user, or to no user at all
        // Back to db 0 for every command sent after this one; SELECTs still in flight before it
        // must not move the database once their replies arrive.
        database = 0;
        int inFlight = pendingSelects.size();
        pendingSelects.clear();
        for (int i = 0; i < inFlight; i++) {
            pendingSelects.add(Long.MIN_VALUE);
        }
        if (decoder != null) {
            decoder.setAuthenticated(auth.user() != null);
        }
        if (auth.user() == null) {
            signInClock = timers.now(); // signed out: limits.auth_timeout runs again
        }
        inMulti = false;
        multiHasLocalError = false;
        monitoring = false;
        // Redis turns replies back on before it answers RESET, but a pending SKIP still applies.
        repliesOff = false;
        forward(frame, ReplyEffect.RESET, 1);
        // RESET also signs the upstream connection out of the proxy's own user: sign it back in.
        if (settings.upstreamAuth() != null) {
            UpstreamLink link = upstream();
            orderer.addInternal(ReplyEffect.UPSTREAM_AUTH);
            link.write(settings.upstreamAuth().duplicate());
        }
    }

    private void client(CommandFrame frame) {
        if (frame.argCount() != 3 || !frame.argEqualsIgnoreCase(1, REPLY)) {
            forward(frame, ReplyEffect.NONE, 1);
            return;
        }
        if (refusedInMulti(frame)) {
            return;
        }
        if (subscribedResp2()) {
            forward(frame, ReplyEffect.NONE, 1); // Redis refuses it: nothing changes
        } else if (frame.argEqualsIgnoreCase(2, ON)) {
            repliesOff = false;
            skipNextReply = false;
            forward(frame, ReplyEffect.NONE, 1);
        } else if (frame.argEqualsIgnoreCase(2, OFF)) {
            sendWithoutReply(frame);
            repliesOff = true;
        } else if (frame.argEqualsIgnoreCase(2, SKIP)) {
            sendWithoutReply(frame);
            skipNextReply = !repliesOff; // Redis ignores SKIP while replies are off
        } else {
            forward(frame, ReplyEffect.NONE, 1); // Redis answers the syntax error
        }
    }

    private void authCommand(CommandFrame frame) {
        if (refusedInMulti(frame)) {
            return;
        }
        int argc = frame.argCount();
        if (argc >= 2 && subscribedResp2()) {
            answerError("ERR Can't execute 'auth" + SUBSCRIBED_ONLY);
            return;
        }
        if (auth.certificateBound()) {
            certificateBoundAuthRefused();
            return;
        }
        if (argc < 2) {
            answerError("ERR wrong number of arguments for 'auth' command");
            return;
        }
        if (argc > 3) {
            answerError("ERR syntax error");
            return;
        }
        if (argc == 2) {
            PolicySnapshot policy = settings.policy().current();
            if (policy.user("default") != null && policy.user("default").nopass()) {
                answerError(AUTH_WITHOUT_DEFAULT_PASSWORD);
                return;
            }
        }
        String username = argc == 3 ? frame.argToString(1) : "default";
        String error = auth.authenticate(username, frame.argBytes(argc - 1));
        if (error != null) {
            answerError(error);
            return;
        }
        signedIn();
        answer(RespReplies.ok());
    }

    /** HELLO: the AUTH part is the proxy's to check; the rest goes to Redis without it. */
    private void helloCommand(CommandFrame frame) {
        if (refusedInMulti(frame)) {
            return;
        }
        if (subscribedResp2()) {
            answerError("ERR Can't execute 'hello" + SUBSCRIBED_ONLY);
            return;
        }
        HelloRequest hello = HelloRequest.parse(frame);
        if (hello.error() != null) {
            answerError(hello.error());
            return;
        }
        if (hello.authIndex() >= 0 && auth.certificateBound()) {
            certificateBoundAuthRefused();
            return;
        }
        if (hello.authIndex() >= 0) {
            String error = auth.authenticate(frame.argToString(hello.authIndex() + 1),
                    frame.argBytes(hello.authIndex() + 2));
            if (error != null) {
                answerError(error);
                return;
            }
            signedIn();
        }
        if (auth.user() == null) {
            answerError(HELLO_NOAUTH);
            return;
        }
        if (auth.currentSnapshot() == null) {
            userRevoked();
            return;
        }
        if (hello.nameError() != null) {
            answerError(hello.nameError());
            return;
        }
        byte effect = hello.version() == 3 ? ReplyEffect.HELLO_3
                : hello.version() == 2 ? ReplyEffect.HELLO_2 : ReplyEffect.NONE;
        if (hello.authIndex() >= 0) {
            forwardBytes(hello.withoutAuth(ctx.alloc(), frame), effect);
        } else {
            forward(frame, effect, 1);
        }
    }

    /** AUTH on a connection signed in by its certificate: refused, not counted towards a lockout. */
    private void certificateBoundAuthRefused() {
        settings.metrics().authFailed(ProxyMetrics.AuthFailure.CERTIFICATE_BOUND);
        answerError(SessionAuth.CERTIFICATE_BOUND);
    }

    private void signedIn() {
        if (decoder != null) {
            decoder.setAuthenticated(true);
        }
    }

    /** The user was removed or disabled by a policy reload: the connection ends. */
    private void userRevoked() {
        log.info("closing a connection of user '{}': the user was removed or disabled by a policy reload",
                auth.user() == null ? "?" : auth.user().name());
        closing = true;
        writePassed();
        drainReadyReplies();
        orderer.releaseAll();
        closeAfterFlush();
    }

    /**
     * Commands whose effect inside a transaction would change how the replies of EXEC are counted
     * are refused there; the refusal aborts the transaction like any queueing error.
     */
    private boolean refusedInMulti(CommandFrame frame) {
        if (!inMulti) {
            return false;
        }
        answerError("ERR RespGate does not allow '" + frame.argToString(0).toLowerCase() + "' inside MULTI");
        return true;
    }

    /** Sends {@code frame} and takes a slot for its reply: see {@link #expectReply}. */
    private void forward(CommandFrame frame, byte effect, int frames) {
        UpstreamLink link = upstream(); // first: a new link queues the proxy's own AUTH ahead
        if (expectReply(effect, frames)) {
            if (settings.limits().blocking().mayBlock(commandId)) {
                orderer.setLastBlock(settings.limits().blocking().allowanceMillis(commandId, frame));
            }
            orderer.sampleLast(latency);
        }
        link.forward(frame);
    }

    /** Like {@link #forward} for a command the proxy rewrote; ownership of {@code command} passes on. */
    private void forwardBytes(ByteBuf command, byte effect) {
        UpstreamLink link = upstream();
        expectReply(effect, 1);
        link.write(command);
    }

    /**
     * Takes the slot of a command about to be sent, unless CLIENT REPLY suppresses its reply; returns
     * whether it waits for a reply. For a subscription, {@code frames} is the number of confirmations
     * Redis will send, and 0 means Redis answers with an arity error.
     */
    private boolean expectReply(byte effect, int frames) {
        boolean suppressed = repliesOff || skipNextReply;
        skipNextReply = false;
        if (!suppressed) {
            orderer.addUpstream(effect, frames == 0 ? 1 : frames, commandId);
            return true;
        }
        if (effect == ReplyEffect.SUBSCRIPTION) {
            if (frames != 0) {
                // Redis sends subscription confirmations even when replies are off (they are pushes);
                // only an error would be suppressed, and an arity error is the one Redis could send.
                orderer.addUpstream(effect, frames);
            }
        } else if (effect != ReplyEffect.NONE) {
            // No reply will confirm it: it takes effect in its turn, as if Redis had said +OK.
            orderer.addSilent(effect);
            drainReadyReplies();
        }
        return false;
    }

    /** CLIENT REPLY OFF or SKIP, which Redis does not answer; a pending SKIP applies to it. */
    private void sendWithoutReply(CommandFrame frame) {
        upstream().forward(frame);
        skipNextReply = false;
    }

    private UpstreamLink upstream() {
        if (upstream == null || upstream.isClosed()) {
            upstream = UpstreamLink.open(this, ctx.channel(), settings);
            upstream.setReading(ctx.channel().isWritable());
            if (settings.upstreamAuth() != null) {
                orderer.addInternal(ReplyEffect.UPSTREAM_AUTH);
                upstream.write(settings.upstreamAuth().duplicate());
            }
        }
        return upstream;
    }

    /** A request without arguments from the client: it uses up a pending SKIP, here and in Redis. */
    private void emptyRequest() {
        if (closing) {
            return;
        }
        skipNextReply = false;
        endRequestUpstream();
    }

    /**
     * Ends a request in Redis without running anything: Redis answers an empty request with nothing,
     * but it uses up a pending CLIENT REPLY SKIP (and CLIENT CACHING) all the same, and is never queued
     * in a transaction. Without a link to Redis there is nothing pending to use up.
     */
    private void endRequestUpstream() {
        if (upstream != null && !upstream.isClosed()) {
            upstream.write(ctx.alloc().buffer(EMPTY_REQUEST.length).writeBytes(EMPTY_REQUEST));
        }
    }

    private void protocolViolation(ProtocolViolation violation) {
        if (closing) {
            return;
        }
        // Like Redis: the error goes out after the replies to everything before it, then the
        // connection closes. The error is sent even with CLIENT REPLY OFF, as Redis does.
        orderer.addLocal(RespReplies.error(ctx.alloc(), "ERR " + violation.message()));
        closing = true;
        drainReadyReplies();
        closeIfDone();
    }

    private void answerError(String text) {
        if (inMulti) {
            multiHasLocalError = true;
        }
        answer(RespReplies.error(ctx.alloc(), text));
    }

    /** Puts a local reply in its place in the order, unless CLIENT REPLY suppresses it. */
    private void answer(ByteBuf reply) {
        if (repliesOff || skipNextReply) {
            if (skipNextReply && !repliesOff) {
                // Redis holds a pending SKIP for the next request it sees; this one it never sees,
                // so end one there, or its SKIP would swallow a later reply.
                endRequestUpstream();
            }
            skipNextReply = false;
            reply.release();
            return;
        }
        orderer.addLocal(reply);
        drainReadyReplies();
    }

    // ---------------------------------------------------------------- upstream side

    /** A whole reply frame from Redis at {@code buf[index, index + length)}. */
    void upstreamFrame(ByteBuf buf, int index, int length, byte type) {
        if (closeScheduled) {
            return; // the client is leaving; nothing more reaches it
        }
        if (type == '>') {
            pushFrame(buf, index, length);
            return;
        }
        if (type == '*' && !resp3 && subscriptions.any() && PubSubFrames.isMessage(buf, index)) {
            pass(buf, index, length); // a published message answers no command
            return;
        }
        if (orderer.isEmpty()) {
            log.debug("reply from Redis with no command waiting for it; forwarded as is");
            pass(buf, index, length);
            return;
        }
        byte effect = orderer.headEffect();
        if (orderer.headKind() == ReplyOrderer.INTERNAL) {
            orderer.removeHead();
            if (effect == ReplyEffect.UPSTREAM_AUTH && type == '-') {
                upstreamRefusedCredentials();
                return;
            }
            drainReadyReplies();
            return;
        }
        pass(buf, index, length);
        if (effect == ReplyEffect.SUBSCRIPTION && type != '-' && !confirmationCompletesHead(buf, index)) {
            return;
        }
        if (type == '-') {
            settings.metrics().errorReply(orderer.headCommand());
        }
        orderer.removeHead();
        if (type != '-') {
            applyEffect(effect);
        } else if (effect == ReplyEffect.SELECT) {
            pendingSelects.poll(); // refused by Redis: the session stays in its database
        }
        drainReadyReplies();
    }

    private void pushFrame(ByteBuf buf, int index, int length) {
        pass(buf, index, length);
        CommandKind kind = PubSubFrames.confirmationKind(buf, index);
        if (kind == null) {
            return; // a message or an invalidation: out of band, answers no command
        }
        if (!orderer.isEmpty() && orderer.headKind() == ReplyOrderer.UPSTREAM
                && orderer.headEffect() == ReplyEffect.SUBSCRIPTION) {
            if (confirmationCompletesHead(buf, index)) {
                orderer.removeHead();
                drainReadyReplies();
            }
        } else {
            subscriptions.confirm(kind, PubSubFrames.confirmationCount(buf, index));
        }
    }

    /**
     * Counts a subscription confirmation against the head slot. Returns whether the slot has now
     * received all its frames; a frame that is no confirmation completes it (it is the reply).
     */
    private boolean confirmationCompletesHead(ByteBuf buf, int index) {
        CommandKind kind = PubSubFrames.confirmationKind(buf, index);
        if (kind == null) {
            return true;
        }
        subscriptions.confirm(kind, PubSubFrames.confirmationCount(buf, index));
        int expected = orderer.headExpected();
        if (expected == ReplyOrderer.UNTIL_NONE_LEFT) {
            return subscriptions.remaining(kind) == 0;
        }
        orderer.setHeadExpected(--expected);
        return expected <= 0;
    }

    private void applyEffect(byte effect) {
        switch (effect) {
            case ReplyEffect.HELLO_2 -> resp3 = false;
            case ReplyEffect.HELLO_3 -> resp3 = true;
            case ReplyEffect.SELECT -> {
                Long selected = pendingSelects.poll();
                if (selected != null && selected != Long.MIN_VALUE) {
                    database = selected;
                }
            }
            case ReplyEffect.RESET -> {
                database = 0;
                resp3 = false;
                subscriptions.clear();
            }
            default -> {
            }
        }
    }

    /** Writes the local replies that have reached the head of the order. */
    private void drainReadyReplies() {
        while (!orderer.isEmpty() && orderer.headKind() == ReplyOrderer.LOCAL) {
            byte effect = orderer.headEffect();
            ByteBuf reply = orderer.pollLocal();
            if (reply == null) {
                applyEffect(effect); // a silent slot's turn
                continue;
            }
            writePassed();
            ctx.write(reply, ctx.voidPromise());
            clientUnflushed = true;
        }
        closeIfDone();
    }

    private void pass(ByteBuf buf, int index, int length) {
        if (passBuf == buf && passEnd == index) {
            passEnd += length;
            return;
        }
        writePassed();
        passBuf = buf;
        passStart = index;
        passEnd = index + length;
    }

    private void writePassed() {
        if (passBuf != null) {
            ctx.write(passBuf.retainedSlice(passStart, passEnd - passStart), ctx.voidPromise());
            passBuf = null;
            clientUnflushed = true;
        }
    }

    void upstreamBatchEnd() {
        writePassed();
    }

    void upstreamReadComplete() {
        resumeHeld();
        long now = timers.now();
        upstreamProgressAt = now;
        lastActivity = now;
        flushClient();
        readMoreIfAllowed();
        account();
    }

    void upstreamReady() {
        readMoreIfAllowed();
    }

    void upstreamWritabilityChanged() {
        readMoreIfAllowed();
    }

    /**
     * The upstream connection could not be opened: every command waiting for it gets a clear
     * error in its place. Nothing reached Redis, so the session starts over from Redis's defaults
     * and the next command tries to connect again.
     */
    void upstreamUnavailable(UpstreamBackoff.Failure failure) {
        upstream = null;
        resp3 = false;
        inMulti = false;
        multiHasLocalError = false;
        repliesOff = false;
        skipNextReply = false;
        monitoring = false;
        subscriptions.clear();
        database = 0;
        pendingSelects.clear();
        answerWaitingWith(failure.error);
        closeIfDone();
        if (!held.isEmpty()) {
            ctx.executor().execute(this::resumeAfterFailure); // not from inside the failed link's callback
        }
        readMoreIfAllowed();
    }

    private void resumeAfterFailure() {
        resumeHeld();
        flushClient();
        readMoreIfAllowed();
    }

    /** Every slot still waiting for Redis is answered with {@code error}, in order. */
    private void answerWaitingWith(String error) {
        writePassed();
        while (!orderer.isEmpty()) {
            byte kind = orderer.headKind();
            if (kind == ReplyOrderer.LOCAL) {
                ByteBuf reply = orderer.pollLocal();
                if (reply != null) {
                    ctx.write(reply, ctx.voidPromise());
                }
            } else {
                orderer.removeHead();
                if (kind == ReplyOrderer.UPSTREAM) {
                    ctx.write(RespReplies.error(ctx.alloc(), error), ctx.voidPromise());
                }
            }
        }
        clientUnflushed = true;
        flushClient();
    }

    /**
     * Redis refused the proxy's own credentials: the link is useless. The client learns why in the
     * place of each command it sent, and the connection closes.
     */
    private void upstreamRefusedCredentials() {
        log.error("Redis at {}:{} refused RespGate's own credentials; check upstream.username and the password",
                settings.upstreamHost(), settings.upstreamPort());
        closing = true;
        answerWaitingWith(UPSTREAM_AUTH_FAILED);
        upstream.close();
        closeAfterFlush();
    }

    /** Redis closed the connection or it failed: flush what arrived, then close the client. */
    void upstreamClosed() {
        if (!closing) {
            log.debug("upstream connection of client {} closed", ctx.channel().remoteAddress());
        }
        abandonUpstream();
    }

    void upstreamBroken(String why) {
        log.warn("upstream connection of client {} broken: {}", ctx.channel().remoteAddress(), why);
        abandonUpstream();
    }

    private void abandonUpstream() {
        closing = true;
        writePassed();
        // Replies still owed by Redis will never come; local replies queued behind them cannot be
        // sent without breaking the order, so the client is closed after what is ready.
        drainReadyReplies();
        orderer.releaseAll();
        closeAfterFlush();
    }

    // ---------------------------------------------------------------- timeouts

    /**
     * After a read batch: notes when the request now partly received started. Each
     * {@link io.respgate.config.LimitsConfig#REQUEST_PROGRESS_BYTES} it grows by start the count
     * again, so a large value on a slow link passes while a client that trickles a request does not.
     */
    private void trackPartialRequest(long now) {
        int pending = decoder.pendingBytes();
        if (pending == 0) {
            requestStartedAt = 0;
        } else if (requestStartedAt == 0 || pending < requestMark
                || pending - requestMark >= io.respgate.config.LimitsConfig.REQUEST_PROGRESS_BYTES) {
            requestStartedAt = now;
            requestMark = pending;
        }
    }

    /** Called by the loop's timer every tick: checks this connection's timeouts. */
    void tick(long now) {
        if (closeScheduled || auth == null) {
            return;
        }
        account();
        if (closeScheduled) {
            return; // evicted
        }
        ClientLimits limits = settings.limits();
        if (limits.authNanos() > 0 && auth.user() == null && !closing && now - signInClock > limits.authNanos()) {
            authTimedOut();
            return;
        }
        if (requestStartedAt != 0 && !closing) {
            if (!ctx.channel().config().isAutoRead()) {
                requestStartedAt = now; // the proxy itself stopped reading: not the client's delay
            } else if (now - requestStartedAt > limits.requestNanos()) {
                requestTimedOut();
                return;
            }
        }
        if (orderer.isEmpty() || orderer.headKind() == ReplyOrderer.LOCAL || upstream == null) {
            waitStart = 0;
        } else {
            if (waitStart == 0) {
                waitStart = now;
            }
            if (!ctx.channel().isWritable()) {
                upstreamProgressAt = now; // Redis is not read because the client is full: not Redis's delay
            }
            int block = orderer.headBlock();
            if (limits.commandNanos() > 0 && block != BlockingCommands.FOREVER
                    && now - Math.max(waitStart, upstreamProgressAt) > limits.commandNanos() + block * 1_000_000L) {
                upstreamTimedOut();
                return;
            }
        }
        if (limits.idleNanos() > 0 && !closing && orderer.isEmpty() && !subscriptions.any() && !monitoring
                && now - lastActivity > limits.idleNanos()) {
            idleTimedOut();
        }
    }

    // ---------------------------------------------------------------- memory

    /** Bytes waiting in {@code channel}'s outbound buffer. */
    static long outboundBytes(Channel channel) {
        io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /** What this session last reported as held, for the choice of whom to evict. */
    long bufferedBytes() {
        return accounted;
    }

    /**
     * Reports the bytes this connection holds now (its partial request, its partial reply, replies
     * waiting for it, commands waiting for Redis) to {@link BufferedMemory}: one shared add when the
     * amount changed, once per read batch and per tick. Over the limit, the largest holder goes.
     */
    private void account() {
        if (closeScheduled) {
            return;
        }
        long held = outboundBytes(ctx.channel());
        if (decoder != null) {
            held += decoder.pendingBytes();
        }
        if (upstream != null) {
            held += upstream.bufferedBytes();
        }
        long delta = held - accounted;
        if (delta != 0) {
            accounted = held;
            if (settings.memory().add(delta) && delta > 0) {
                timers.evictLargest();
            }
        }
    }

    /** Closes the connection at once, after an unexpected failure in its timer. */
    void abort() {
        closing = true;
        closeScheduled = true;
        if (upstream != null) {
            upstream.close();
        }
        ctx.close();
        if (timers != null) {
            timers.remove(this); // never checked again, even before it is inactive
        }
    }

    /** {@code limits.max_buffered_memory} is exceeded and this connection holds the most: closed at once. */
    void evict(BufferedMemory memory) {
        settings.metrics().refused(ProxyMetrics.Refusal.MEMORY);
        long held = accounted;
        report("memory", "held " + held + " bytes, the most of any connection, when the proxy's buffers ("
                + memory.total() + " bytes) exceeded limits.max_buffered_memory (" + memory.limit() + " bytes)");
        memory.add(-held);
        accounted = 0;
        closing = true;
        closeScheduled = true;
        passBuf = null;
        orderer.releaseAll();
        if (upstream != null) {
            upstream.close();
        }
        ctx.close();
    }

    /**
     * A reply from Redis beyond {@code limits.max_reply_depth}, {@code max_reply_bulk_length} or
     * {@code max_reply_size}: every command still waiting gets the error in its place, then both
     * connections close (the rest of the reply cannot be skipped safely).
     */
    void replyRefused(String why) {
        if (closeScheduled) {
            return;
        }
        settings.metrics().refused(ProxyMetrics.Refusal.REPLY_LIMIT);
        log.warn("closing client {}: a reply from Redis was refused: {}", ctx.channel().remoteAddress(), why);
        closing = true;
        answerWaitingWith("ERR reply refused by RespGate: " + why + "; connection closed");
        if (upstream != null) {
            upstream.close();
        }
        closeAfterFlush();
    }

    /** {@code limits.auth_timeout}: an error (after the TLS handshake; before it, nothing), then the close. */
    private void authTimedOut() {
        settings.metrics().refused(ProxyMetrics.Refusal.AUTH_TIMEOUT);
        report("auth_timeout", "did not sign in within limits.auth_timeout");
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls != null && !tls.handshakeFuture().isDone()) {
            closing = true;
            closeScheduled = true;
            ctx.close();
            return;
        }
        closeWithError(settings.limits().authTimeoutError());
    }

    /** {@code limits.request_timeout}: the replies owed for earlier commands, the error, then the close. */
    private void requestTimedOut() {
        settings.metrics().refused(ProxyMetrics.Refusal.REQUEST_TIMEOUT);
        report("request_timeout", "sent a request that was not complete within limits.request_timeout");
        closeWithError(settings.limits().requestTimeoutError());
    }

    /** Like Redis's {@code timeout}: closed without a word. */
    private void idleTimedOut() {
        settings.metrics().refused(ProxyMetrics.Refusal.IDLE_TIMEOUT);
        log.debug("closing idle client {} (limits.idle_timeout)", ctx.channel().remoteAddress());
        closing = true;
        closeAfterFlush();
    }

    /**
     * {@code upstream.command_timeout}: every command still waiting for Redis gets the error in its
     * place, then both connections close, so a late reply can never reach the wrong command.
     */
    private void upstreamTimedOut() {
        settings.metrics().refused(ProxyMetrics.Refusal.UPSTREAM_TIMEOUT);
        log.warn("Redis at {}:{} did not answer client {} within upstream.command_timeout; {} commands answered with"
                + " an error, connection closed", settings.upstreamHost(), settings.upstreamPort(),
                ctx.channel().remoteAddress(), orderer.size());
        closing = true;
        answerWaitingWith(settings.limits().upstreamTimeoutError());
        upstream.close();
        closeAfterFlush();
    }

    /** The error goes out after every reply owed before it (as for a protocol error), then the close. */
    private void closeWithError(String error) {
        orderer.addLocal(RespReplies.error(ctx.alloc(), error));
        closing = true;
        drainReadyReplies();
        flushClient();
        closeIfDone();
    }

    /** A log line and an audit line for a connection closed by a limit, within the report budget. */
    private void report(String reason, String what) {
        long unreported = settings.reports().tryReport();
        if (unreported == ReportBudget.SILENT) {
            return;
        }
        String user = auth.user() == null ? null : auth.user().name();
        log.info("closing client {}{}: it {}{}", ctx.channel().remoteAddress(),
                user == null ? "" : " (user '" + user + "')", what,
                unreported > 0 ? " (" + unreported + " earlier refusals not logged)" : "");
        settings.audit().connectionRefused(auth.connection().client(), user, reason, unreported);
    }

    // ---------------------------------------------------------------- flow control

    private void flushClient() {
        if (clientUnflushed) {
            clientUnflushed = false;
            ctx.flush();
        }
    }

    /**
     * Reads the next batch from the client only while Redis can take more commands and fewer than
     * {@code max_pending_replies} replies are outstanding; otherwise the kernel's buffers push back
     * on the client. A client that is slow to read its replies is not paused here: replies from
     * Redis stop being read instead ({@link #channelWritabilityChanged}), so the proxy holds at
     * most {@code max_pending_bytes} for it while Redis buffers the rest, as it would for a direct
     * client. Pausing the client too would deadlock one that writes a whole pipeline before
     * reading, which Redis serves.
     */
    private void readMoreIfAllowed() {
        Channel client = ctx.channel();
        boolean allowed = !closing && !draining && client.isActive() && held.isEmpty()
                && orderer.size() < settings.maxPendingReplies()
                && (upstream == null || upstream.isClosed() || upstream.acceptsWrites());
        // Toggled only when the answer changes: with auto-read on, Netty keeps the socket's read
        // interest registered, where a read() per batch would cost two epoll_ctl calls per batch.
        if (client.config().isAutoRead() != allowed) {
            client.config().setAutoRead(allowed);
            if (!allowed && client.isActive() && !closing && !draining) {
                settings.metrics().readsPaused();
            }
        }
    }

    private void closeIfDone() {
        // Held commands were read before the drain began, so they run first; once closing, none will.
        if ((closing || draining) && orderer.isEmpty() && (closing || held.isEmpty())) {
            closeAfterFlush();
        }
    }

    private void closeAfterFlush() {
        if (closeScheduled) {
            return;
        }
        closeScheduled = true;
        writePassed();
        clientUnflushed = false;
        ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
    }
}
