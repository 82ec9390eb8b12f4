package io.respgate.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.respgate.codec.RequestDecoder;
import io.respgate.codec.RequestLimits;
import io.respgate.config.LimitsConfig;
import io.respgate.config.RespGateConfig;
import io.respgate.config.UpstreamConfig;
import io.respgate.config.ConfigException;
import io.respgate.config.PolicyConfig;
import io.respgate.config.PolicyLoader;
import io.respgate.config.PolicyWatcher;
import io.respgate.config.ExposureCheck;
import io.respgate.config.FileChangeWatcher;
import io.respgate.config.ServerTlsConfig;
import io.respgate.proxy.admin.AdminServer;
import io.respgate.proxy.audit.AuditLog;
import io.respgate.proxy.audit.SeenSources;
import io.respgate.proxy.metrics.ProxyMetrics;
import io.respgate.proxy.signals.UpstreamChannels;
import io.respgate.proxy.signals.UpstreamWatch;
import io.respgate.proxy.tls.ServerTls;
import io.respgate.proxy.tls.UpstreamTls;
import io.respgate.policy.PolicySnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The running proxy: a listening socket, its event loops, and the client connections it accepted.
 * {@link #shutdownGracefully()} stops accepting, lets every connection finish the replies it is
 * owed for at most the configured drain time, then closes what is left.
 */
public final class RespGateServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RespGateServer.class);

    private final RespGateConfig config;
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup ioGroup;
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final PolicyState policy;
    private final ServerTls serverTls;
    private final UpstreamTls upstreamTls;
    private volatile PolicyWatcher policyWatcher;
    private volatile FileChangeWatcher tlsWatcher;
    private final ProxyMetrics metrics;
    private final AuditLog audit;
    private final Transport transport;
    private volatile AdminServer admin;
    private final UpstreamChannels upstreamChannels = new UpstreamChannels();
    private final UpstreamResolver resolver = new UpstreamResolver();
    private volatile UpstreamWatch upstreamWatch;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final ConnectionLimiter limiter;
    private final BufferedMemory memory;
    /** Log and audit lines for refused or limit-closed connections: at most 20 a second. */
    private final ReportBudget refusalReports = new ReportBudget(20, TimeUnit.SECONDS.toNanos(1));
    /** Refused connections waiting for the client to read the error ({@link RefusedConnection}). */
    private final AtomicInteger lingering = new AtomicInteger();
    /** Beyond this many refused connections lingering at once, new ones are closed without an error. */
    private static final int MAX_LINGERING = 1024;

    private RespGateServer(RespGateConfig config, PolicySnapshot initialPolicy, Transport transport,
                           ServerTls serverTls, UpstreamTls upstreamTls) throws InterruptedException {
        this.config = config;
        this.policy = new PolicyState(initialPolicy);
        this.serverTls = serverTls;
        this.upstreamTls = upstreamTls;
        this.transport = transport;
        this.metrics = new ProxyMetrics(initialPolicy.table(), config.metrics().commands());
        this.audit = config.audit().map(AuditLog::open).orElseGet(AuditLog::disabled);
        metrics.policyInForce(initialPolicy.version(), initialPolicy.loadedAt());
        this.acceptGroup = transport.newGroup(1, "respgate-accept");
        this.ioGroup = transport.newGroup(Runtime.getRuntime().availableProcessors(), "respgate-io");
        LimitsConfig limits = config.limits();
        ClientLimits clientLimits = ClientLimits.of(limits, config.upstream(), new BlockingCommands(initialPolicy.table()));
        Map<EventExecutor, LoopTimers> timers = new IdentityHashMap<>();
        int loops = 0;
        for (EventExecutor ignored : ioGroup) {
            loops++;
        }
        this.memory = new BufferedMemory(BufferedMemory.limitFor(limits.maxBufferedMemory()), loops);
        int loopIndex = 0;
        for (EventExecutor loop : ioGroup) {
            LoopTimers t = new LoopTimers(clientLimits.tickNanos(), loopIndex++, memory);
            timers.put(loop, t);
            loop.scheduleAtFixedRate(t, t.tickNanos(), t.tickNanos(), TimeUnit.NANOSECONDS);
        }
        SessionSettings settings = sessionSettings(config, policy, transport, upstreamTls, metrics, audit,
                upstreamChannels, clientLimits, Map.copyOf(timers), refusalReports, memory, resolver);
        metrics.bufferedMemory(memory::total, memory.limit());
        metrics.upstreamBackoffWindow(settings.backoff()::windowSeconds);
        this.limiter = new ConnectionLimiter(limits.maxClients(), limits.maxConnectionsPerSource());
        RequestLimits requestLimits = new RequestLimits(limits.maxArguments(), limits.maxBulkLength(), limits.maxInlineLength());
        int highWater = (int) Math.min(Integer.MAX_VALUE, limits.maxPendingBytes());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // One socket read per batch: the pending-reply bound is checked between batches, so
                // a batch must stay small (at most 64 KiB of commands) for the bound to mean much.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 64 * 1024).maxMessagesPerRead(1))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(highWater / 2, highWater))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetSocketAddress remote = ch.remoteAddress();
                        InetAddress source = remote == null ? null : remote.getAddress();
                        ProxyMetrics.Refusal refusal = limiter.tryAcquire(source);
                        if (refusal != null) {
                            refuseAtAccept(ch, remote, refusal);
                            return;
                        }
                        ch.closeFuture().addListener(f -> limiter.release(source));
                        clients.add(ch);
                        metrics.connectionAccepted();
                        ch.closeFuture().addListener(f -> metrics.connectionClosed());
                        if (serverTls != null) {
                            ch.pipeline().addLast("tls", serverTls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast("decoder", new RequestDecoder(requestLimits));
                        ch.pipeline().addLast("session", new ClientSession(settings));
                    }
                });
        try {
            this.serverChannel = bootstrap.bind(config.listen().address(), config.listen().port()).sync().channel();
        } catch (Exception e) {
            acceptGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            ioGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            resolver.close();
            audit.close();
            throw e;
        }
    }

    /**
     * A connection beyond {@code limits.max_clients} or {@code limits.max_connections_per_source}:
     * counted, reported (in samples during a flood), answered with Redis's error and closed.
     */
    private void refuseAtAccept(SocketChannel ch, InetSocketAddress remote, ProxyMetrics.Refusal refusal) {
        metrics.refused(refusal);
        boolean perSource = refusal == ProxyMetrics.Refusal.MAX_PER_SOURCE;
        long unreported = refusalReports.tryReport();
        if (unreported != ReportBudget.SILENT) {
            String client = remote == null ? "unknown" : remote.getAddress().getHostAddress() + ":" + remote.getPort();
            LimitsConfig limits = config.limits();
            log.warn("connection from {} refused: {}{}", client, perSource
                    ? "limits.max_connections_per_source (" + limits.maxConnectionsPerSource() + ") reached for "
                    + remote.getAddress().getHostAddress()
                    : "limits.max_clients (" + limits.maxClients() + ") reached",
                    unreported > 0 ? " (" + unreported + " earlier refusals not logged)" : "");
            audit.connectionRefused(client, null, perSource ? "max_per_source" : "max_clients", unreported);
        }
        if (serverTls != null || lingering.incrementAndGet() > MAX_LINGERING) {
            if (serverTls == null) {
                lingering.decrementAndGet();
            }
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> lingering.decrementAndGet());
        ch.pipeline().addLast("refused", new RefusedConnection(perSource));
    }

    /**
     * Starts the proxy with the policy file the config names, watched for changes. Without a policy
     * RespGate refuses to start: fail closed.
     */
    public static RespGateServer start(RespGateConfig config) throws InterruptedException, ConfigException {
        PolicyConfig policyConfig = config.policy().orElseThrow(() -> new ConfigException("respgate.yaml", "policy",
                "no policy file configured; RespGate refuses to start without one (set policy.file)"));
        PolicySnapshot snapshot = PolicyLoader.load(policyConfig.file());
        RespGateServer server = start(config, snapshot);
        try {
            server.policyWatcher = PolicyWatcher.start(policyConfig.file(), snapshot, server::applyPolicy,
                    error -> {
                        server.metrics.policyReloaded(false);
                        server.audit.policyReloadFailed(error);
                        log.error("policy reload failed: {}", error);
                    });
        } catch (IOException | RuntimeException e) {
            server.shutdownGracefully();
            throw new ConfigException(policyConfig.file().toString(), "policy",
                    "cannot watch the policy file for changes: " + e.getMessage());
        }
        return server;
    }

    /**
     * Starts the proxy with a policy given in code (the demo, tests); it is not reloaded from a file.
     * TLS files are loaded now and watched for rotation.
     *
     * @throws ConfigException for an exposed setup the config does not accept, or unusable TLS material
     */
    public static RespGateServer start(RespGateConfig config, PolicySnapshot policy)
            throws InterruptedException, ConfigException {
        List<String> warnings = ExposureCheck.check(config.listen(), policy, "respgate.yaml");
        Transport transport = Transport.best();
        ServerTls serverTls = config.listen().tls().isPresent() ? ServerTls.load(config.listen().tls().get()) : null;
        UpstreamTls upstreamTls = null;
        RespGateServer server;
        try {
            UpstreamConfig up = config.upstream();
            upstreamTls = up.tls().isPresent() ? UpstreamTls.load(up.tls().get(), up.host(), up.port()) : null;
            server = new RespGateServer(config, policy, transport, serverTls, upstreamTls);
        } catch (ConfigException | InterruptedException | RuntimeException e) {
            closeTls(serverTls, upstreamTls);
            throw e;
        }
        log.info("RespGate listening on {} ({} transport, {}), forwarding to {}:{} ({}), policy {} with {} users",
                server.boundAddress(), transport.name(), serverTls == null ? "plaintext" : "TLS",
                config.upstream().host(), config.upstream().port(), upstreamTls == null ? "plaintext" : "TLS",
                policy.version(), policy.userCount());
        if (!config.metrics().commands()) {
            log.info("per-command metrics off (metrics.commands: false): no forwarded or error counts in"
                    + " respgate_commands_total, no command latency histograms");
        }
        for (String warning : warnings) {
            log.warn("INSECURE: {}", warning);
        }
        server.exportSecuritySettings();
        if (!warnings.isEmpty()) {
            server.acceptGroup.scheduleAtFixedRate(() -> warnings.forEach(w -> log.warn("INSECURE (still): {}", w)),
                    1, 1, TimeUnit.HOURS);
        }
        server.watchTlsFiles();
        server.upstreamWatch = UpstreamWatch.start(config.upstream(), server.upstreamChannels,
                server.metrics.registry(), server.audit);
        if (config.admin().isPresent()) {
            try {
                server.admin = AdminServer.start(config.admin().get(), new ServerAdminActions(server), transport);
                log.info("admin endpoint on http://{}:{}/ (metrics, healthz, readyz, policy, reload){}",
                        config.admin().get().address(), server.admin.boundAddress().getPort(),
                        config.admin().get().token().isPresent() ? ", bearer token required" : "");
            } catch (InterruptedException | RuntimeException e) {
                server.shutdownGracefully();
                throw e;
            }
        }
        return server;
    }

    /**
     * What {@link #start} checks before binding, without starting anything: exposure of the
     * listener and usable TLS material. Returns the warnings start-up would log.
     */
    public static List<String> check(RespGateConfig config, PolicySnapshot policy) throws ConfigException {
        List<String> warnings = ExposureCheck.check(config.listen(), policy, "respgate.yaml");
        ServerTls serverTls = config.listen().tls().isPresent() ? ServerTls.load(config.listen().tls().get()) : null;
        UpstreamTls upstreamTls = null;
        try {
            UpstreamConfig up = config.upstream();
            upstreamTls = up.tls().isPresent() ? UpstreamTls.load(up.tls().get(), up.host(), up.port()) : null;
        } finally {
            closeTls(serverTls, upstreamTls);
        }
        return warnings;
    }

    private void watchTlsFiles() {
        List<Path> files = new ArrayList<>();
        if (serverTls != null) {
            files.addAll(serverTls.config().files());
        }
        if (upstreamTls != null) {
            files.addAll(upstreamTls.config().files());
        }
        if (files.isEmpty()) {
            return;
        }
        try {
            tlsWatcher = FileChangeWatcher.start(files, FileChangeWatcher.DEFAULT_DEBOUNCE, this::reloadTls,
                    error -> log.error("TLS {}", error), "respgate-tls-watcher");
        } catch (IOException | RuntimeException e) {
            log.error("cannot watch the TLS files for changes ({}); reload them with SIGHUP", e.toString());
        }
    }

    /**
     * Reloads certificates, keys and CA bundles from their files (on change and on SIGHUP). New
     * handshakes use the new material; established connections keep theirs. A file that cannot be
     * used keeps the old material in force. Returns whether everything configured was reloaded.
     */
    public boolean reloadTls() {
        boolean ok = true;
        if (serverTls != null) {
            ok &= serverTls.reload();
        }
        if (upstreamTls != null) {
            ok &= upstreamTls.reload();
        }
        if (serverTls != null || upstreamTls != null) {
            metrics.tlsReloaded(ok);
        }
        return ok;
    }

    /** Certificate expiry and explicitly accepted insecure settings, as metrics. */
    private void exportSecuritySettings() {
        if (serverTls != null) {
            metrics.certificateExpiry("listener", serverTls::certificate);
        }
        if (upstreamTls != null && upstreamTls.certificate() != null) {
            metrics.certificateExpiry("upstream-client", upstreamTls::certificate);
        }
        if (config.listen().insecurePlaintext()) {
            metrics.insecureSetting("listen.insecure_plaintext");
        }
        if (config.listen().insecureAnonymous()) {
            metrics.insecureSetting("listen.insecure_allow_anonymous");
        }
        config.upstream().tls().ifPresent(t -> {
            if (!t.verifyCertificate()) {
                metrics.insecureSetting("upstream.tls.verify_certificate");
            } else if (!t.verifyHostname()) {
                metrics.insecureSetting("upstream.tls.verify_hostname");
            }
        });
    }

    /** The server's meters. */
    public ProxyMetrics metrics() {
        return metrics;
    }

    /** The admin endpoint's address, or null when none is configured. */
    public InetSocketAddress adminAddress() {
        AdminServer a = admin;
        return a == null ? null : a.boundAddress();
    }

    boolean isShuttingDown() {
        return shuttingDown.get();
    }

    /** Whether Redis answers a fresh connection now (for {@code /readyz}). */
    java.util.concurrent.CompletableFuture<Boolean> probeUpstream() {
        UpstreamConfig up = config.upstream();
        return UpstreamProbe.answers(ioGroup, transport, resolver, up.host(), up.port(), upstreamTls);
    }

    private static void closeTls(ServerTls serverTls, UpstreamTls upstreamTls) {
        if (serverTls != null) {
            serverTls.close();
        }
        if (upstreamTls != null) {
            upstreamTls.close();
        }
    }

    /**
     * Puts a new policy in force. Connections of users it removed or disabled are closed; the
     * others are judged by the new rules from their next command. A policy that would expose the
     * listener (an open default user on a network address) is refused and the old one stays.
     */
    public void applyPolicy(PolicySnapshot next) {
        try {
            ExposureCheck.check(config.listen(), next, "respgate.yaml");
        } catch (ConfigException e) {
            metrics.policyRefused();
            log.error("policy {} refused, policy {} stays in force: {}", next.version(), policy.current().version(),
                    e.getMessage());
            return;
        }
        PolicySnapshot previous = policy.swap(next);
        audit.policyReloaded(previous, next);
        metrics.policyReloaded(true);
        metrics.policyInForce(next.version(), next.loadedAt());
        log.info("policy {} in force (was {}), {} users", next.version(), previous.version(), next.userCount());
        for (Channel client : clients) {
            client.pipeline().fireUserEventTriggered(PolicyReloaded.INSTANCE);
        }
    }

    /** Reloads the policy file now (SIGHUP); returns whether a new policy is in force. */
    public boolean reloadPolicy() {
        PolicyWatcher watcher = policyWatcher;
        return watcher != null && watcher.reloadNow();
    }

    public PolicySnapshot policy() {
        return policy.current();
    }

    private static SessionSettings sessionSettings(RespGateConfig config, PolicyState policy, Transport transport,
                                                   UpstreamTls upstreamTls, ProxyMetrics metrics, AuditLog audit,
                                                   UpstreamChannels upstreamChannels, ClientLimits limits,
                                                   Map<EventExecutor, LoopTimers> timers, ReportBudget reports,
                                                   BufferedMemory memory, UpstreamResolver resolver) {
        UpstreamConfig upstream = config.upstream();
        // Tests and the demo give a policy in code; they get the default lockout settings.
        PolicyConfig lockout = config.policy().orElse(new PolicyConfig(java.nio.file.Path.of("policy.yaml")));
        ByteBuf auth = upstream.password()
                .map(password -> Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
                        UpstreamAuthCommand.encode(upstream.username().orElse(null), password.bytes())).asReadOnly()))
                .orElse(null);
        return new SessionSettings(upstream.host(), upstream.port(), upstream.connectTimeout(), auth,
                config.limits().maxPendingReplies(), policy, new AuthLockout(lockout.maxAuthFailures(), lockout.authLockout()),
                new UserConnections(), transport, upstreamTls,
                config.listen().tls().map(ServerTlsConfig::requireMapped).orElse(false), metrics, audit,
                new java.util.concurrent.atomic.AtomicLong(), new SeenSources(), upstreamChannels, limits, timers,
                reports, new UpstreamBackoff(), memory, resolver);
    }

    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Stops accepting, asks every connection to finish the replies it owes, and after the drain
     * timeout closes whatever is left. Returns at once; {@link #awaitTermination()} waits.
     */
    public void shutdownGracefully() {
        if (!shuttingDown.compareAndSet(false, true)) {
            return;
        }
        long drainMillis = config.limits().drainTimeout().toMillis();
        log.info("shutting down: no new connections, draining {} for up to {} ms", clients.size(), drainMillis);
        serverChannel.close().awaitUninterruptibly();
        PolicyWatcher watcher = policyWatcher;
        if (watcher != null) {
            watcher.close();
        }
        FileChangeWatcher tls = tlsWatcher;
        if (tls != null) {
            tls.close();
        }

        List<Channel> open = new ArrayList<>(clients);
        for (Channel client : open) {
            client.pipeline().fireUserEventTriggered(DrainRequest.INSTANCE);
        }
        Thread waiter = new Thread(() -> {
            UpstreamWatch watch = upstreamWatch;
            if (watch != null) {
                watch.close(); // first: the connections closing below are not bypasses
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
            while (!clients.isEmpty() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (!clients.isEmpty()) {
                log.warn("drain timeout: closing {} connections with replies still owed", clients.size());
            }
            clients.close().awaitUninterruptibly();
            acceptGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            ioGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            resolver.close();
            AdminServer adminServer = admin;
            if (adminServer != null) {
                adminServer.close(); // last: /readyz says "not ready" during the drain
            }
            closeTls(serverTls, upstreamTls);
            audit.close();
            log.info("RespGate stopped");
            terminated.countDown();
        }, "respgate-shutdown");
        waiter.setDaemon(false);
        waiter.start();
    }

    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    /** Number of client connections open now. */
    public int openConnections() {
        return clients.size();
    }

    @Override
    public void close() throws InterruptedException {
        shutdownGracefully();
        awaitTermination();
    }

}
