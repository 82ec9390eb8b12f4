package io.respgate.proxy.signals;

import io.micrometer.core.instrument.MeterRegistry;
import io.respgate.config.UpstreamConfig;
import io.respgate.policy.Cidr;
import io.respgate.proxy.posture.Credentials;
import io.respgate.proxy.posture.RedisConnection;
import io.respgate.proxy.posture.RedisLogin;
import io.respgate.proxy.posture.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The upstream bypass and drift detectors ({@code upstream.watch}). Every interval, on its own
 * daemon thread (never an event loop), it signs in to Redis with RespGate's own credentials, over
 * TLS when the proxy uses it, and on one short-lived connection:
 * <ol>
 *   <li>{@code CLIENT LIST}: a connection that is neither one of the proxy's upstream connections
 *       ({@link UpstreamChannels}, read after the reply), nor this check's own, nor from a network in
 *       {@code known_clients} bypasses RespGate. It is reported once it is older than two seconds or
 *       seen in two checks in a row (a proxy connection opening during the check is not yet
 *       registered), and only once per Redis client id;</li>
 *   <li>{@code CONFIG GET} of {@link DriftTracker#SETTINGS} ({@code requirepass} only as set or not
 *       set; its bytes are overwritten at once) and {@code ACL LIST} without passwords and hashes:
 *       the first read is the baseline, any later change is a drift.</li>
 * </ol>
 * Findings go to the meters, the log (WARN) and a {@link SignalSink}. A command Redis refuses
 * ({@code -NOPERM}, or renamed away) is logged once until it works again, and counted every time.
 */
public final class UpstreamWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpstreamWatch.class);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    static final String FIX = "give RespGate's Redis user +client|list +config|get +acl|list, or set"
            + " upstream.watch.enabled: false";

    /** What a check does, for the once-only warnings and the {@code command} tag. */
    enum Kind {
        SIGN_IN("none", "signing in", "the upstream watch cannot check Redis"),
        CLIENT_LIST("client_list", "CLIENT LIST", "connections that bypass RespGate cannot be detected"),
        CONFIG_GET("config_get", "CONFIG GET", "changes of Redis's security settings cannot be detected"),
        ACL_LIST("acl_list", "ACL LIST", "changes of Redis's users cannot be detected");

        final String tag;
        final String command;
        final String consequence;

        Kind(String tag, String command, String consequence) {
            this.tag = tag;
            this.command = command;
            this.consequence = consequence;
        }
    }

    private final UpstreamConfig upstream;
    private final Credentials credentials;
    private final UpstreamChannels channels;
    private final List<Cidr> knownClients;
    private final SignalSink sink;
    private final WatchMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final BypassTracker bypass = new BypassTracker();
    private final DriftTracker drift = new DriftTracker();
    private final EnumSet<Kind> failing = EnumSet.noneOf(Kind.class);
    private volatile RedisConnection current;
    private volatile boolean closed;
    private boolean baselineLogged;
    private int lastBypassCount;
    private Kind stage = Kind.SIGN_IN;

    private UpstreamWatch(UpstreamConfig upstream, UpstreamChannels channels, MeterRegistry registry, SignalSink sink,
                          boolean scheduled) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.knownClients = upstream.watch().knownClients();
        this.credentials = new Credentials(Credentials.PROXY_ROLE, upstream.username(), upstream.password());
        this.metrics = registry == null ? null : new WatchMetrics(registry);
        this.scheduler = scheduled ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "respgate-upstream-watch");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /**
     * Starts watching as {@code upstream.watch()} says; the first check runs one interval from now.
     * When the watch is off, returns a watch that does nothing and registers no meters.
     *
     * @param channels the proxy's upstream connections
     * @param registry where the meters go (the server's)
     * @param sink     where findings go besides meters and log
     */
    public static UpstreamWatch start(UpstreamConfig upstream, UpstreamChannels channels, MeterRegistry registry,
                                      SignalSink sink) {
        UpstreamConfig.Watch settings = upstream.watch();
        if (!settings.enabled()) {
            return new UpstreamWatch(upstream, channels, null, sink, false);
        }
        UpstreamWatch watch = new UpstreamWatch(upstream, channels, Objects.requireNonNull(registry, "registry"),
                sink, true);
        long millis = settings.interval().toMillis();
        watch.scheduler.scheduleWithFixedDelay(watch::scheduledCheck, millis, millis, TimeUnit.MILLISECONDS);
        log.info("upstream watch: checking Redis every {} for connections that bypass RespGate and for changes of"
                        + " its security settings (known clients: {})", settings.interval(),
                settings.knownClients().isEmpty() ? "none" : settings.knownClients());
        return watch;
    }

    /** A watch that only checks when {@link #checkNow()} is called (tests). */
    static UpstreamWatch unscheduled(UpstreamConfig upstream, UpstreamChannels channels, MeterRegistry registry,
                                     SignalSink sink) {
        return new UpstreamWatch(upstream, channels, Objects.requireNonNull(registry, "registry"), sink, false);
    }

    /** Whether checks are scheduled. */
    public boolean isRunning() {
        return scheduler != null && !closed;
    }

    private void scheduledCheck() {
        try {
            checkNow();
        } catch (RuntimeException e) {
            // Never let an exception end the schedule; a bug here must not stop the detectors.
            metrics.error("internal", "none");
            log.warn("upstream watch: a check failed: {}", e.toString());
        }
    }

    /** Runs one check on the calling thread. */
    synchronized void checkNow() {
        if (closed) {
            return;
        }
        stage = Kind.SIGN_IN;
        RedisLogin.Session session = RedisLogin.signIn(upstream, credentials, READ_TIMEOUT);
        if (!session.signedIn()) {
            if (!closed) {
                failed(Kind.SIGN_IN, "sign_in", "upstream watch: " + session.login().failure() + "; "
                        + Kind.SIGN_IN.consequence + " until it can sign in");
            }
            return;
        }
        RedisConnection connection = session.connection();
        current = connection;
        try {
            if (closed) {
                return;
            }
            recovered(Kind.SIGN_IN);
            long ownId = clientId(connection);
            checkClients(connection, ownId);
            checkSettings(connection);
            metrics.checked();
        } catch (IOException e) {
            if (!closed) {
                failed(stage, "io", "upstream watch: the connection to Redis failed during " + stage.command + ": "
                        + reason(e) + "; " + stage.consequence + " until it works again");
            }
        } finally {
            current = null;
            RedisLogin.close(connection);
        }
    }

    /** This check's own client id, or -1 if Redis will not say (it is then a fresh connection, never a bypass). */
    private long clientId(RedisConnection connection) throws IOException {
        Reply reply = connection.call("CLIENT", "ID");
        return reply instanceof Reply.Number n ? n.value() : -1;
    }

    private void checkClients(RedisConnection connection, long ownId) throws IOException {
        stage = Kind.CLIENT_LIST;
        Reply reply = connection.call("CLIENT", "LIST");
        if (reply instanceof Reply.Error e) {
            refused(Kind.CLIENT_LIST, e);
            return;
        }
        String text = Reply.textOf(reply);
        if (text == null) {
            unexpected(Kind.CLIENT_LIST, "Redis answered CLIENT LIST with " + Reply.describe(reply));
            return;
        }
        List<ClientInfo> clients;
        try {
            clients = ClientInfo.parseList(text);
        } catch (IllegalArgumentException e) {
            unexpected(Kind.CLIENT_LIST, "cannot read Redis's answer to CLIENT LIST: " + e.getMessage());
            return;
        }
        recovered(Kind.CLIENT_LIST);
        // The registry is read after the reply: a proxy connection Redis listed is registered by now,
        // unless its connect completed in between; the tracker gives those a second look.
        List<ClientInfo> unexpected = new ArrayList<>();
        for (ClientInfo client : clients) {
            if (!expected(client, ownId)) {
                unexpected.add(client);
            }
        }
        BypassTracker.Result result = bypass.update(unexpected);
        metrics.bypassNow(result.bypasses().size());
        for (ClientInfo c : result.fresh()) {
            metrics.bypassDetected();
            log.warn("connection to Redis bypasses RespGate: addr={} user={} name={} cmd={} age={}s id={}"
                            + " (if it is expected, add its network to upstream.watch.known_clients)",
                    c.addr(), c.user(), c.name().isEmpty() ? "-" : c.name(), c.command(), c.age(), c.id());
            report(() -> sink.bypass(new SignalSink.Bypass(c.id(), c.addr(), c.user(), c.name(), c.command(),
                    c.age())));
        }
        if (lastBypassCount > 0 && result.bypasses().isEmpty()) {
            log.info("upstream watch: no connection bypasses RespGate any more");
        }
        lastBypassCount = result.bypasses().size();
    }

    private boolean expected(ClientInfo client, long ownId) {
        if (client.id() == ownId) {
            return true;
        }
        if (client.ip() == null) {
            return false; // a Unix socket: never the proxy's
        }
        if (channels.isProxy(client.ip(), client.port())) {
            return true;
        }
        for (Cidr network : knownClients) {
            if (network.contains(client.ip())) {
                return true;
            }
        }
        return false;
    }

    private void checkSettings(RedisConnection connection) throws IOException {
        stage = Kind.CONFIG_GET;
        Map<String, String> read = new HashMap<>();
        boolean configOk = true;
        for (String name : DriftTracker.SETTINGS) {
            Reply reply = connection.call("CONFIG", "GET", name);
            if (reply instanceof Reply.Error e) {
                refused(Kind.CONFIG_GET, e);
                configOk = false;
                break;
            }
            String value = configValue(name, reply);
            if (value == null) {
                unexpected(Kind.CONFIG_GET, "Redis answered CONFIG GET " + name + " with " + Reply.describe(reply));
                configOk = false;
                break;
            }
            read.put(name, value);
        }
        if (configOk) {
            recovered(Kind.CONFIG_GET);
        }
        stage = Kind.ACL_LIST;
        Map<String, AclUser> users = aclUsers(connection);
        if (users != null) {
            recovered(Kind.ACL_LIST);
        }
        List<DriftTracker.Change> changes = drift.update(read, users);
        if (!baselineLogged && drift.hasBaseline()) {
            baselineLogged = true;
            log.info("upstream watch: baseline of Redis's security settings: {}", drift.summary());
        }
        for (DriftTracker.Change change : changes) {
            metrics.drift(change.drift().setting());
            log.warn(change.message());
            report(() -> sink.drift(change.drift()));
        }
    }

    /**
     * The value of a {@code CONFIG GET name} answer ({@code [name, value]}, or nothing for a setting
     * this version lacks); null for any other shape. {@code requirepass} is only set or not set, and
     * every byte of its answer is overwritten.
     */
    static String configValue(String name, Reply reply) {
        boolean secret = name.equals("requirepass");
        try {
            if (!(reply instanceof Reply.Array a) || a.items() == null) {
                return null;
            }
            if (a.items().isEmpty()) {
                return DriftTracker.ABSENT;
            }
            if (a.items().size() != 2 || !(a.items().get(1) instanceof Reply.Bulk b) || b.bytes() == null) {
                return null;
            }
            if (secret) {
                return b.bytes().length > 0 ? DriftTracker.SET : DriftTracker.NOT_SET;
            }
            return Printable.clean(b.text(), 500);
        } finally {
            if (secret) {
                zero(reply);
            }
        }
    }

    /** {@code ACL LIST} without secrets, by user; null when it cannot be read (reported). */
    private Map<String, AclUser> aclUsers(RedisConnection connection) throws IOException {
        Reply reply = connection.call("ACL", "LIST");
        try {
            if (reply instanceof Reply.Error e) {
                refused(Kind.ACL_LIST, e);
                return null;
            }
            if (!(reply instanceof Reply.Array a) || a.items() == null) {
                unexpected(Kind.ACL_LIST, "Redis answered ACL LIST with " + Reply.describe(reply));
                return null;
            }
            Map<String, AclUser> users = new LinkedHashMap<>();
            for (Reply item : a.items()) {
                if (!(item instanceof Reply.Bulk b) || b.bytes() == null) {
                    unexpected(Kind.ACL_LIST, "Redis answered ACL LIST with an item that is not a user line");
                    return null;
                }
                try {
                    AclUser user = AclUser.parse(b.bytes());
                    users.put(user.name(), user);
                } catch (IllegalArgumentException e) {
                    unexpected(Kind.ACL_LIST, "cannot read Redis's answer to ACL LIST: " + e.getMessage());
                    return null;
                }
            }
            return users;
        } finally {
            zero(reply); // the lines hold password hashes
        }
    }

    private static void zero(Reply reply) {
        if (reply instanceof Reply.Bulk b && b.bytes() != null) {
            Arrays.fill(b.bytes(), (byte) 0);
        } else if (reply instanceof Reply.Array a && a.items() != null) {
            a.items().forEach(UpstreamWatch::zero);
        }
    }

    private void refused(Kind kind, Reply.Error error) {
        // Only the code: Redis's whole error line is not ours to repeat.
        String code = Printable.clean(error.code(), 40);
        if (error.noPermission()) {
            failed(kind, "no_permission", "upstream watch: Redis refuses " + kind.command + " to RespGate's user '"
                    + credentials.effectiveUser() + "' (-NOPERM), so " + kind.consequence + ". To fix: " + FIX);
        } else {
            failed(kind, "refused", "upstream watch: Redis answers " + kind.command + " with -" + code
                    + " (renamed or disabled?), so " + kind.consequence + ". To fix: " + FIX);
        }
    }

    private void unexpected(Kind kind, String what) {
        failed(kind, "unexpected_reply", "upstream watch: " + what + ", so " + kind.consequence);
    }

    /** Counts every failure; logs it only when {@code kind} worked before (or never ran). */
    private void failed(Kind kind, String reason, String message) {
        metrics.error(reason, kind.tag);
        if (failing.add(kind)) {
            log.warn(message);
        }
    }

    private void recovered(Kind kind) {
        if (failing.remove(kind)) {
            log.info("upstream watch: {} works again", kind.command);
        }
    }

    private static void report(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("upstream watch: the signal sink failed: {}", e.toString());
        }
    }

    private static String reason(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return "timed out";
        }
        if (e instanceof EOFException) {
            return "Redis closed the connection";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : Printable.clean(message, 160);
    }

    /**
     * Stops checking. A check in progress is cut short (its connection is closed); waits at most
     * two seconds for it to end.
     */
    @Override
    public void close() {
        closed = true;
        if (scheduler == null) {
            return;
        }
        scheduler.shutdownNow();
        RedisConnection c = current;
        if (c != null) {
            RedisLogin.close(c);
        }
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
