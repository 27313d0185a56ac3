package io.pinsage.engine.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * Hands java.util.logging's records (cluster-rpc logs through {@link System.Logger}, whose default backend is
 * java.util.logging) to SLF4J, so the console prints them as it prints the library's notes: one line, WARNING as
 * {@code warning: }, and not java.util.logging's two lines with a timestamp.
 *
 * <p>{@link #install} replaces the root logger's handlers; call it once, before the first record.
 */
final class JulBridge extends Handler {

    /** Fills in a record's parameters; its own format (timestamp, two lines) is not used. */
    private static final SimpleFormatter FORMAT = new SimpleFormatter();

    private JulBridge() {
    }

    /** Replaces the root logger's handlers with this bridge. */
    static void install() {
        java.util.logging.Logger root = LogManager.getLogManager().getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        root.addHandler(new JulBridge());
    }

    @Override
    public void publish(LogRecord record) {
        Logger log = LoggerFactory.getLogger(record.getLoggerName() == null ? "" : record.getLoggerName());
        String message = FORMAT.formatMessage(record);
        int level = record.getLevel().intValue();
        if (level >= Level.SEVERE.intValue()) {
            log.error(message, record.getThrown());
        } else if (level >= Level.WARNING.intValue()) {
            log.warn(message, record.getThrown());
        } else if (level >= Level.INFO.intValue()) {
            log.info(message, record.getThrown());
        } else {
            log.debug(message, record.getThrown());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
