package io.pinsage.engine.cli;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

import java.io.PrintStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The command line's SLF4J backend: the library's notes (a run resuming, the neighbourhoods being built, the hard
 * negatives' timing) are console lines of the command, so INFO prints the message alone, a line on stderr; WARN and
 * ERROR prefix it with {@code warning: } or {@code error: } and add the exception's trace; DEBUG and TRACE are off.
 * A generic backend such as slf4j-simple always prefixes the level and the logger, which would change every command's
 * output. Found by SLF4J through {@code META-INF/services}; a host that embeds the library binds its own backend.
 *
 * <p>Thread-safe: each event is one {@code println} on {@code System.err}, read at the event (so a test that swaps the
 * stream sees it).
 */
public final class ConsoleLogProvider implements SLF4JServiceProvider {

    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, ConsoleLogger::new);
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
    }

    /** One named logger; they all print the same way. */
    private static final class ConsoleLogger extends LegacyAbstractLogger {

        ConsoleLogger(String name) {
            this.name = name;
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                                   Throwable throwable) {
            String prefix = switch (level) {
                case ERROR -> "error: ";
                case WARN -> "warning: ";
                default -> "";
            };
            PrintStream err = System.err;
            err.println(prefix + MessageFormatter.basicArrayFormat(pattern, arguments));
            if (throwable != null) {
                throwable.printStackTrace(err);
            }
        }
    }
}
