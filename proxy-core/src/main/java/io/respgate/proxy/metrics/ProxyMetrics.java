package io.respgate.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.respgate.policy.command.CommandSpec;
import io.respgate.policy.command.CommandTable;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.EnumMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Every meter RespGate exports, registered up front where the hot path uses them: per-command
 * counters are arrays indexed by the command table's id, so counting a command builds no name and
 * allocates nothing. Tags are bounded: commands come from the command table (the rest is
 * {@code other}), users and rule ids from the policy, reasons from fixed enums.
 *
 * <p>{@code metrics.commands: false} leaves out the per-command meters of allowed traffic: the
 * {@code forwarded} and {@code error} outcomes of {@code respgate_commands_total} and the two
 * command latency histograms are never registered (absent from the scrape, not zero), and counting
 * them is a null test or nothing. Denials and shadow-mode would-denials are still counted: they are
 * security signals (the denial-spike alert reads them) and cost nothing on an allowed command.
 *
 * <p>One instance per server; nothing is static.
 */
public final class ProxyMetrics {
    /**
     * Why a connection was refused or closed by the proxy. {@code LIMIT}: a policy user's connection
     * limit; the others are named after the {@code limits.*} or {@code upstream.*} setting that
     * decided: {@code MAX_CLIENTS}, {@code MAX_PER_SOURCE} (refused at accept), {@code AUTH_TIMEOUT},
     * {@code REQUEST_TIMEOUT}, {@code IDLE_TIMEOUT}, {@code UPSTREAM_TIMEOUT}
     * ({@code upstream.command_timeout}), {@code REPLY_LIMIT} (a reply beyond
     * {@code max_reply_depth}/{@code max_reply_bulk_length}/{@code max_reply_size}), {@code MEMORY}
     * ({@code max_buffered_memory}: the connection holding the most was closed).
     */
    public enum Refusal {
        LIMIT, LOCKOUT, TLS, SOURCE_NETWORK, CERTIFICATE, MAX_CLIENTS, MAX_PER_SOURCE, AUTH_TIMEOUT,
        REQUEST_TIMEOUT, IDLE_TIMEOUT, UPSTREAM_TIMEOUT, REPLY_LIMIT, MEMORY
    }

    /** Why an authentication failed. */
    public enum AuthFailure { WRONGPASS, LOCKED_OUT, CONNECTION_LIMIT, CERTIFICATE, CERTIFICATE_BOUND }

    private final PrometheusMeterRegistry registry;
    private final int otherId;
    /** {@code metrics.commands}: whether the per-command meters of allowed traffic exist. */
    private final boolean commands;
    /** Per event loop, so the hot path counts without a compare-and-swap; summed at scrape. */
    private final Map<Object, LoopCounters> loops = new ConcurrentHashMap<>();
    private final List<LoopCounters> loopList = new CopyOnWriteArrayList<>();
    private final Counter[] denied;
    private final Counter[] wouldDeny;
    /** Null when per-command metrics are off. */
    private final Counter[] errors;
    private final Counter accepted;
    private final Counter closed;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
    private final Counter authSuccess;
    private final Map<AuthFailure, Counter> authFailures = new EnumMap<>(AuthFailure.class);
    private final Counter lockouts;
    private final Counter handshakes;
    private final Map<String, Counter> handshakeFailures = new ConcurrentHashMap<>();
    private final Counter policyReloadsOk;
    private final Counter policyReloadsFailed;
    private final Counter policyReloadsRefused;
    private final Counter tlsReloadsOk;
    private final Counter tlsReloadsFailed;
    private final Counter upstreamConnectFailures;
    private final Counter upstreamConnectsSkipped;
    private final AtomicInteger upstreamOpen = new AtomicInteger();
    private final Counter readsPaused;
    /** Both null when per-command metrics are off. */
    private final Timer roundTrip;
    private final Timer upstreamPart;
    private volatile String policyVersion = "";
    private volatile double policyLoadedAt;

    /** Every meter, per-command ones included. */
    public ProxyMetrics(CommandTable table) {
        this(table, true);
    }

    /** @param commands whether the per-command meters of allowed traffic exist ({@code metrics.commands}) */
    public ProxyMetrics(CommandTable table, boolean commands) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Before any meter is registered (Micrometer warns otherwise): names promtool's linter
        // refuses (an abbreviated unit, a _count suffix on a gauge).
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
                || id.getName().equals("system.cpu.count")));
        this.otherId = table.size();
        this.commands = commands;
        this.denied = new Counter[otherId + 1];
        this.wouldDeny = new Counter[otherId + 1];
        this.errors = commands ? new Counter[otherId + 1] : null;
        for (CommandSpec spec : table.all()) {
            denied[spec.id()] = commandCounter(spec.name(), "denied");
            wouldDeny[spec.id()] = commandCounter(spec.name(), "would_deny");
            if (commands) {
                forwardedCounter(spec.name(), spec.id());
                errors[spec.id()] = commandCounter(spec.name(), "error");
            }
        }
        denied[otherId] = commandCounter("other", "denied");
        wouldDeny[otherId] = commandCounter("other", "would_deny");
        if (commands) {
            forwardedCounter("other", otherId);
            errors[otherId] = commandCounter("other", "error");
        }
        for (int i = 0; i < otherId; i++) {
            if (denied[i] == null) { // ids without a spec cannot occur, but never leave a hole
                denied[i] = denied[otherId];
                wouldDeny[i] = wouldDeny[otherId];
                if (commands) {
                    errors[i] = errors[otherId];
                }
            }
        }
        accepted = Counter.builder("respgate.connections.accepted").description("Client connections accepted")
                .register(registry);
        closed = Counter.builder("respgate.connections.closed").description("Client connections closed")
                .register(registry);
        Gauge.builder("respgate.connections.active", active, AtomicInteger::get)
                .description("Client connections open now").register(registry);
        for (Refusal r : Refusal.values()) {
            refused.put(r, Counter.builder("respgate.connections.refused").tag("reason", lower(r))
                    .description("Client connections refused or closed by the proxy, by reason").register(registry));
        }
        authSuccess = Counter.builder("respgate.auth").tag("result", "success").tag("reason", "none")
                .description("Authentications by result").register(registry);
        for (AuthFailure f : AuthFailure.values()) {
            authFailures.put(f, Counter.builder("respgate.auth").tag("result", "failure").tag("reason", lower(f))
                    .description("Authentications by result").register(registry));
        }
        lockouts = Counter.builder("respgate.auth.lockouts").description("Source addresses locked out after"
                + " repeated authentication failures").register(registry);
        handshakes = Counter.builder("respgate.tls.handshakes").tag("result", "success")
                .description("TLS handshakes with clients").register(registry);
        policyReloadsOk = reloads("policy", "success");
        policyReloadsFailed = reloads("policy", "failure");
        policyReloadsRefused = reloads("policy", "refused");
        tlsReloadsOk = reloads("tls", "success");
        tlsReloadsFailed = reloads("tls", "failure");
        Gauge.builder("respgate.policy.loaded.timestamp", () -> policyLoadedAt)
                .description("When the policy in force was loaded (epoch seconds)").baseUnit("seconds").register(registry);
        upstreamConnectFailures = Counter.builder("respgate.upstream.connect.failures")
                .description("Connections to Redis that could not be opened (TCP or TLS)").register(registry);
        upstreamConnectsSkipped = Counter.builder("respgate.upstream.connect.backoff")
                .description("Connections to Redis not attempted because connecting is backing off after a failure;"
                        + " the client got the last failure's error at once").register(registry);
        Gauge.builder("respgate.upstream.connections", upstreamOpen, AtomicInteger::get)
                .description("Connections to Redis open now").register(registry);
        FunctionCounter.builder("respgate.upstream.bytes", this, m -> m.sum(LoopCounters::bytesIn))
                .tag("direction", "in").baseUnit("bytes")
                .description("Bytes read from and written to Redis").register(registry);
        FunctionCounter.builder("respgate.upstream.bytes", this, m -> m.sum(LoopCounters::bytesOut))
                .tag("direction", "out").baseUnit("bytes")
                .description("Bytes read from and written to Redis").register(registry);
        readsPaused = Counter.builder("respgate.backpressure.reads.paused")
                .description("Times a client's reading was paused because its replies were not read").register(registry);
        if (commands) {
            roundTrip = latencyTimer("respgate.command.duration", "From a command's arrival to its reply leaving"
                    + " for the client (sampled: one command in flight per connection)");
            upstreamPart = latencyTimer("respgate.command.upstream.duration", "From a command's flush to Redis to"
                    + " its reply leaving for the client (sampled like respgate_command_duration_seconds)");
        } else {
            roundTrip = null;
            upstreamPart = null;
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // The allocator the channels use (Netty 4.2: the adaptive one, not PooledByteBufAllocator.DEFAULT).
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            ByteBufAllocatorMetric netty = provider.metric();
            Gauge.builder("respgate.netty.memory.used", netty, ByteBufAllocatorMetric::usedDirectMemory)
                    .tag("area", "direct").baseUnit("bytes").description("Netty buffer memory in use").register(registry);
            Gauge.builder("respgate.netty.memory.used", netty, ByteBufAllocatorMetric::usedHeapMemory)
                    .tag("area", "heap").baseUnit("bytes").description("Netty buffer memory in use").register(registry);
        }
    }

    /** Fixed buckets, few enough that recording a sample is a short search. */
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)};

    private Timer latencyTimer(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
    }

    private void forwardedCounter(String command, int index) {
        FunctionCounter.builder("respgate.commands", this, m -> m.sum(c -> c.forwardedAt(index)))
                .tag("command", command).tag("outcome", "forwarded")
                .description("Commands by command and outcome").register(registry);
    }

    private double sum(ToLongFunction<LoopCounters> value) {
        long total = 0;
        for (LoopCounters c : loopList) {
            total += value.applyAsLong(c);
        }
        return total;
    }

    private Counter commandCounter(String command, String outcome) {
        return Counter.builder("respgate.commands").tag("command", command).tag("outcome", outcome)
                .description("Commands by command and outcome").register(registry);
    }

    private Counter reloads(String what, String result) {
        return Counter.builder("respgate.reloads").tag("what", what).tag("result", result)
                .description("Reloads of the policy and the TLS files, by result").register(registry);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Whether the per-command meters exist ({@code metrics.commands}); fixed for the server's life. */
    public boolean commandMetrics() {
        return commands;
    }

    // ---- hot path: no allocation --------------------------------------------------------------

    /**
     * The counters the connections of {@code loop} count forwarded commands and upstream bytes in.
     * Only that loop's thread may use them. Looked up once per connection, not per command.
     */
    public LoopCounters loopCounters(Object loop) {
        return loops.computeIfAbsent(loop, l -> {
            LoopCounters counters = new LoopCounters(otherId, commands);
            loopList.add(counters);
            return counters;
        });
    }

    /** One sampled command: its round trip, and its upstream part (negative when unknown), in nanoseconds. */
    public void commandLatency(long roundTripNanos, long upstreamNanos) {
        if (roundTrip == null) {
            return; // per-command metrics off: the sampler never samples, so this is not reached
        }
        roundTrip.record(roundTripNanos, TimeUnit.NANOSECONDS);
        if (upstreamNanos >= 0) {
            upstreamPart.record(upstreamNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Redis answered a forwarded command with an error (counted besides {@code forwarded}). */
    public void errorReply(int commandId) {
        Counter[] errors = this.errors;
        if (errors == null) {
            return;
        }
        errors[commandId >= 0 && commandId < otherId ? commandId : otherId].increment();
    }

    // ---- rarer events -------------------------------------------------------------------------

    /** A command was denied by the policy: counted by command, and by user, command and rule. */
    public void denied(int commandId, String command, String user, String ruleId) {
        denied[commandId >= 0 && commandId < otherId ? commandId : otherId].increment();
        String rule = ruleId == null ? "none" : ruleId;
        Counter.builder("respgate.denials").description("Denied commands by user, command and deciding rule")
                .tags(Tags.of("user", user == null ? "none" : user, "command",
                        commandId >= 0 && commandId < otherId ? command : "other", "rule", rule))
                .register(registry).increment();
        if (rule.startsWith("guardrail:")) {
            Counter.builder("respgate.guardrail.hits").description("Commands refused by a guardrail")
                    .tag("rule", rule).register(registry).increment();
        }
    }

    /** Shadow mode: a command the user's rules would have denied was forwarded. */
    public void wouldDeny(int commandId) {
        wouldDeny[commandId >= 0 && commandId < otherId ? commandId : otherId].increment();
    }

    public void connectionAccepted() {
        accepted.increment();
        active.incrementAndGet();
    }

    public void connectionClosed() {
        closed.increment();
        active.decrementAndGet();
    }

    public void refused(Refusal reason) {
        refused.get(reason).increment();
    }

    public void authSucceeded() {
        authSuccess.increment();
    }

    public void authFailed(AuthFailure reason) {
        authFailures.get(reason).increment();
    }

    public void lockedOut() {
        lockouts.increment();
    }

    public void handshakeSucceeded() {
        handshakes.increment();
    }

    /** A client handshake failed; {@code reason} is one of a few fixed words (see {@link io.respgate.proxy.tls.TlsFailures}). */
    public void handshakeFailed(String reason) {
        handshakeFailures.computeIfAbsent(reason, r -> Counter.builder("respgate.tls.handshakes")
                .tag("result", "failure").tag("reason", r).description("TLS handshakes with clients")
                .register(registry)).increment();
        refused(Refusal.TLS);
    }

    public void policyReloaded(boolean ok) {
        (ok ? policyReloadsOk : policyReloadsFailed).increment();
    }

    public void policyRefused() {
        policyReloadsRefused.increment();
    }

    public void tlsReloaded(boolean ok) {
        (ok ? tlsReloadsOk : tlsReloadsFailed).increment();
    }

    /** The policy in force: exported as {@code respgate_policy_info{version}} 1. */
    public synchronized void policyInForce(String version, java.time.Instant loadedAt) {
        String previous = policyVersion;
        if (!previous.isEmpty()) {
            registry.find("respgate.policy.info").tag("version", previous).meters().forEach(registry::remove);
        }
        policyVersion = version;
        Gauge.builder("respgate.policy.info", () -> 1).tag("version", version)
                .description("The policy version in force (value always 1)").register(registry);
        policyLoadedAt = loadedAt.getEpochSecond();
    }

    public void upstreamConnectFailed() {
        upstreamConnectFailures.increment();
    }

    /** A connect to Redis was not attempted: the backoff window after a failure is in force. */
    public void upstreamConnectSkipped() {
        upstreamConnectsSkipped.increment();
    }

    /** {@code respgate_upstream_connect_backoff_window_seconds}: the backoff window in force (0: none). */
    public void upstreamBackoffWindow(java.util.function.DoubleSupplier seconds) {
        Gauge.builder("respgate.upstream.connect.backoff.window", seconds::getAsDouble).baseUnit("seconds")
                .description("How long connects to Redis are held back after the last failure (0: not backing off)")
                .register(registry);
    }

    /** {@code respgate_buffered_bytes} (what the sessions hold now) and {@code respgate_buffered_limit_bytes}. */
    public void bufferedMemory(java.util.function.LongSupplier total, long limit) {
        Gauge.builder("respgate.buffered", total::getAsLong).baseUnit("bytes")
                .description("Bytes buffered for clients: partial requests and replies, replies waiting for slow"
                        + " clients, commands waiting for Redis (as last reported by each connection)")
                .register(registry);
        Gauge.builder("respgate.buffered.limit", () -> limit).baseUnit("bytes")
                .description("limits.max_buffered_memory in force").register(registry);
    }

    public void upstreamOpened() {
        upstreamOpen.incrementAndGet();
    }

    public void upstreamClosed() {
        upstreamOpen.decrementAndGet();
    }

    public void readsPaused() {
        readsPaused.increment();
    }

    /** Seconds until {@code certificate()} expires, as {@code respgate_tls_certificate_expiry_seconds{certificate}}. */
    public void certificateExpiry(String name, Supplier<X509Certificate> certificate) {
        Gauge.builder("respgate.tls.certificate.expiry", certificate,
                        c -> (c.get().getNotAfter().getTime() - System.currentTimeMillis()) / 1000.0)
                .tag("certificate", name).baseUnit("seconds")
                .description("Seconds until the certificate expires (negative: expired)").register(registry);
    }

    /** An insecure setting the config accepted explicitly: {@code respgate_insecure_setting{setting}} 1. */
    public void insecureSetting(String setting) {
        Gauge.builder("respgate.insecure.setting", () -> 1).tag("setting", setting)
                .description("Insecure settings in force, accepted explicitly by the config").register(registry);
    }
}
