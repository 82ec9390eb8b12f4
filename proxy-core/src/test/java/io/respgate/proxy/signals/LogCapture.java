package io.respgate.proxy.signals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.Collectors;

/** Everything logged under {@code io.respgate} while open, as in the audit log test. */
final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        appender.setContext(context);
        appender.start();
        logger = context.getLogger("io.respgate");
        logger.addAppender(appender);
    }

    /** Messages at {@code level} that contain every part. */
    List<String> messages(Level level, String... parts) {
        synchronized (appender.list) {
            return appender.list.stream().filter(e -> e.getLevel().equals(level)).map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> List.of(parts).stream().allMatch(m::contains)).collect(Collectors.toList());
        }
    }

    String all() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n"));
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
