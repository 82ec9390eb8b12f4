package io.respgate.proxy.audit;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import io.respgate.codec.CommandFrame;
import io.respgate.config.AuditConfig;
import io.respgate.policy.PasswordHashing;
import io.respgate.policy.PolicySnapshot;
import io.respgate.policy.PolicyUser;
import io.respgate.policy.command.AclCategory;
import io.respgate.policy.command.CommandSpec;
import io.respgate.proxy.json.Json;
import io.respgate.proxy.signals.SignalSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The audit log: one JSON object per line, through its own Logback logger and an asynchronous file
 * appender, so that writing never waits for the disk on an event loop (the appender's queue blocks
 * only when 8192 lines are waiting). It records who did what from where and what was refused:
 * never a password, an AUTH argument or a value; a command's first key as configured (full,
 * hashed or omitted).
 */
public final class AuditLog implements AutoCloseable, SignalSink {
    static final String LOGGER = "respgate.audit";
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    private final Logger out;
    private final AuditConfig.KeyMode keys;
    private final AsyncAppender appender;
    private static final byte NO = 1;
    private static final byte YES = 2;
    /** {@link #sensitive} by command id: 0 not yet known, else NO or YES. */
    private volatile byte[] sensitiveById = new byte[256];

    private AuditLog(Logger out, AuditConfig.KeyMode keys, AsyncAppender appender) {
        this.out = out;
        this.keys = keys;
        this.appender = appender;
    }

    /** An audit log that records nothing (no {@code audit} section). */
    public static AuditLog disabled() {
        return new AuditLog(null, AuditConfig.KeyMode.OMITTED, null);
    }

    /** Opens (appends to) the configured file. */
    public static AuditLog open(AuditConfig config) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(context);
        file.setName("respgate-audit-file");
        file.setFile(config.file().toString());
        file.setAppend(true);
        file.setEncoder(encoder);
        file.start();
        if (!file.isStarted()) {
            throw new IllegalStateException("cannot open the audit log " + config.file());
        }
        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("respgate-audit");
        async.setQueueSize(8192);
        async.setDiscardingThreshold(0); // audit lines are never dropped
        async.setNeverBlock(false);
        async.addAppender(file);
        async.start();
        ch.qos.logback.classic.Logger logger = context.getLogger(LOGGER);
        logger.detachAndStopAllAppenders();
        logger.setAdditive(false); // not on the console
        logger.setLevel(Level.INFO);
        logger.addAppender(async);
        log.info("audit log: {} (keys {})", config.file(), config.keys().name().toLowerCase(java.util.Locale.ROOT));
        return new AuditLog(LoggerFactory.getLogger(LOGGER), config.keys(), async);
    }

    public boolean enabled() {
        return out != null;
    }

    /** Who a connection is, as the audit log names it. */
    public record Connection(long id, String client, String certificate) {
    }

    public void authenticated(Connection c, String user, String method) {
        if (out != null) {
            write(start("auth_success", c).field("user", user).field("method", method));
        }
    }

    /** {@code user} is the policy user named, or null for an unknown name (which may be a mistyped password). */
    public void authenticationFailed(Connection c, String user, String reason) {
        if (out != null) {
            write(start("auth_failure", c).field("user", user).field("reason", reason));
        }
    }

    /**
     * A connection refused at accept ({@code reason}: {@code max_clients}, {@code max_per_source}), or
     * closed by a limit ({@code auth_timeout}, {@code request_timeout}, {@code memory}).
     * {@code unreported}: similar events left out of the log just before this one (a flood is
     * reported in samples; the metrics count every event).
     */
    public void connectionRefused(String client, String user, String reason, long unreported) {
        if (out != null) {
            Line line = new Line("connection_refused").field("client", client).field("user", user)
                    .field("reason", reason);
            if (unreported > 0) {
                line.number("unreported_before", unreported);
            }
            write(line);
        }
    }

    public void lockout(String client) {
        if (out != null) {
            write(new Line("lockout").field("client", client));
        }
    }

    public void newSource(Connection c, String user) {
        if (out != null) {
            write(start("new_source", c).field("user", user));
        }
    }

    /** A command the policy refused ({@code guardrail} events are denials by a guardrail). */
    public void denied(Connection c, String user, CommandFrame frame, CommandSpec spec, String ruleId) {
        if (out != null) {
            String event = ruleId != null && ruleId.startsWith("guardrail:") ? "guardrail" : "denial";
            write(command(start(event, c).field("user", user), frame, spec).field("decision", "deny")
                    .field("rule", ruleId));
        }
    }

    /** Shadow mode: a command the user's rules would deny, forwarded anyway. */
    public void wouldDeny(Connection c, String user, CommandFrame frame, CommandSpec spec, String ruleId) {
        if (out != null) {
            write(command(start("would_deny", c).field("user", user), frame, spec).field("decision", "would_deny")
                    .field("rule", ruleId));
        }
    }

    /**
     * Whether an allowed {@code spec} is worth a line: admin and dangerous commands, CONFIG, FLUSH*,
     * SCRIPT, ACL, FUNCTION. Asked for every forwarded command, so the answer is worked out once per
     * command id and kept (a racing event loop computes the same value).
     */
    public boolean sensitive(CommandSpec spec) {
        if (out == null || spec == null) {
            return false;
        }
        int id = spec.id();
        byte[] known = sensitiveById;
        if (id >= known.length) {
            known = java.util.Arrays.copyOf(known, Math.max(id + 1, known.length * 2));
            sensitiveById = known;
        }
        if (known[id] == 0) {
            known[id] = isSensitive(spec) ? YES : NO;
        }
        return known[id] == YES;
    }

    private static boolean isSensitive(CommandSpec spec) {
        if (spec.inCategory(AclCategory.ADMIN) || spec.inCategory(AclCategory.DANGEROUS)) {
            return true;
        }
        String top = spec.parent() != null ? spec.parent().name() : spec.name();
        return top.equals("config") || top.equals("script") || top.equals("acl") || top.equals("function")
                || top.startsWith("flush");
    }

    /** An admin or dangerous command that was allowed and forwarded. */
    public void allowedSensitive(Connection c, String user, CommandFrame frame, CommandSpec spec) {
        if (out != null) {
            write(command(start("sensitive_allowed", c).field("user", user), frame, spec).field("decision", "allow"));
        }
    }

    /** A new policy in force, with what changed. */
    public void policyReloaded(PolicySnapshot previous, PolicySnapshot next) {
        if (out == null) {
            return;
        }
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (PolicyUser u : next.users()) {
            PolicyUser old = previous.user(u.name());
            if (old == null) {
                added.add(u.name());
            } else if (!Objects.equals(old.spec(), u.spec())) {
                changed.add(u.name());
            }
        }
        List<String> removed = new ArrayList<>();
        for (String name : previous.userNames()) {
            if (next.user(name) == null) {
                removed.add(name);
            }
        }
        write(new Line("policy_reload").field("from", previous.version()).field("to", next.version())
                .list("users_added", added).list("users_removed", removed).list("users_changed", changed));
    }

    /** A connection to Redis that does not come through the proxy. */
    @Override
    public void bypass(Bypass bypass) {
        if (out != null) {
            write(new Line("bypass_detected").number("redis_client_id", bypass.clientId())
                    .field("client", bypass.address()).field("user", bypass.user()).field("name", bypass.name())
                    .field("command", bypass.command()).number("age_seconds", bypass.ageSeconds()));
        }
    }

    /** A security-relevant Redis setting changed behind the proxy's back. */
    @Override
    public void drift(Drift drift) {
        if (out != null) {
            write(new Line("drift_detected").field("setting", drift.setting()).field("from", drift.from())
                    .field("to", drift.to()).list("users_added", drift.usersAdded())
                    .list("users_removed", drift.usersRemoved()).list("users_changed", drift.usersChanged()));
        }
    }

    public void policyReloadFailed(String reason) {
        if (out != null) {
            write(new Line("policy_reload_failed").field("reason", reason));
        }
    }

    private static Line start(String event, Connection c) {
        return new Line(event).number("conn", c.id()).field("client", c.client()).field("certificate", c.certificate());
    }

    private Line command(Line line, CommandFrame frame, CommandSpec spec) {
        if (spec == null) {
            line.field("command", "other");
        } else if (spec.parent() != null) {
            line.field("command", spec.parent().name()).field("subcommand", spec.name().substring(spec.name().indexOf('|') + 1));
        } else {
            line.field("command", spec.name());
        }
        if (spec != null && keys != AuditConfig.KeyMode.OMITTED) {
            int[] first = {-1};
            spec.forEachKey(frame, (f, argIndex, flags) -> {
                first[0] = argIndex;
                return false;
            });
            if (first[0] >= 0) {
                byte[] key = frame.argBytes(first[0]);
                line.field("key", keys == AuditConfig.KeyMode.FULL
                        ? new String(key, java.nio.charset.StandardCharsets.UTF_8)
                        : PasswordHashing.sha256Hex(key).substring(0, 16));
            }
        }
        return line;
    }

    private void write(Line line) {
        out.info(line.finish());
    }

    @Override
    public void close() {
        if (appender != null) {
            appender.stop(); // flushes what is queued
        }
    }

    /** One JSON object under construction, starting with the time and the event. */
    private static final class Line {
        private final StringBuilder sb = new StringBuilder(160);

        Line(String event) {
            sb.append("{\"time\":\"").append(Instant.now()).append("\",\"event\":\"").append(event).append('"');
        }

        Line field(String name, String value) {
            if (value != null) {
                sb.append(",\"").append(name).append("\":").append(Json.quote(value));
            }
            return this;
        }

        Line number(String name, long value) {
            sb.append(",\"").append(name).append("\":").append(value);
            return this;
        }

        Line list(String name, List<String> values) {
            sb.append(",\"").append(name).append("\":[");
            for (int i = 0; i < values.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(Json.quote(values.get(i)));
            }
            sb.append(']');
            return this;
        }

        String finish() {
            return sb.append('}').toString();
        }
    }
}
