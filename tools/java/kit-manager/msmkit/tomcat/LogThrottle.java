package msmkit.tomcat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per failure class per interval for msm's loggers, written for msm-kit.
 *
 * While a memcached node is down msm logs every failed backup with a full stack trace:
 * about a thousand per Tomcat per outage, which buries what an operator needs. This filter
 * lets the first record of a kind (same logger, level, message shape and exception class)
 * through each interval as ONE line (the stack trace folded into "exception: message;
 * cause: ..."), holds back the rest of that interval, and then says how many were held back.
 * Records without an exception and below WARNING pass untouched.
 *
 * Interval: system property msmkit.logThrottleSeconds (default 10; 0 turns the filter off).
 */
public final class LogThrottle implements Filter {

    /** msm's loggers (by class name, as juli names them) that log per request or per backup. */
    static final String[] LOGGERS = {
        "de.javakaffee.web.msm.MemcachedSessionService",
        "de.javakaffee.web.msm.KitSessionService",
        "de.javakaffee.web.msm.BackupSessionTask",
        "de.javakaffee.web.msm.BackupSessionService",
        "de.javakaffee.web.msm.LockingStrategy",
        "de.javakaffee.web.msm.LockingStrategyAuto",
        "de.javakaffee.web.msm.LockingStrategyAll",
        "de.javakaffee.web.msm.LockingStrategyNone",
        "de.javakaffee.web.msm.LockingStrategyUriPattern",
        "de.javakaffee.web.msm.MemcachedNodesManager",
        "de.javakaffee.web.msm.NodeAvailabilityCache",
        "de.javakaffee.web.msm.storage.RedisStorageClient",
        "de.javakaffee.web.msm.storage.MemcachedStorageClient",
    };

    private static final String HELD_BACK = "msm-kit: ";

    private final long _intervalMs;
    private final Map<String, Window> _windows = new HashMap<String, Window>();
    private final Timer _timer;

    private static final class Window {
        final long start;
        final Logger logger;
        final Level level;
        final String example;
        int held;

        Window(final long start, final Logger logger, final Level level, final String example) {
            this.start = start;
            this.logger = logger;
            this.level = level;
            this.example = example;
        }
    }

    private LogThrottle(final long intervalMs) {
        _intervalMs = intervalMs;
        _timer = new Timer("msm-kit-log-throttle", true);
        _timer.schedule(new TimerTask() {
            @Override
            public void run() {
                flush(System.currentTimeMillis());
            }
        }, intervalMs, intervalMs);
    }

    private static volatile LogThrottle _instance;

    /**
     * Puts the filter on msm's loggers in the logging context of the calling thread and in
     * that of msm's own class loader (juli keeps one logger tree per class loader).
     */
    public static synchronized void install(final ClassLoader msmLoader) {
        final long seconds = Long.getLong("msmkit.logThrottleSeconds", 10L);
        if (seconds <= 0) {
            return;
        }
        if (_instance == null) {
            _instance = new LogThrottle(seconds * 1000L);
        }
        final Thread thread = Thread.currentThread();
        final ClassLoader previous = thread.getContextClassLoader();
        try {
            installHere(_instance);
            thread.setContextClassLoader(msmLoader);
            installHere(_instance);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static void installHere(final LogThrottle filter) {
        final List<String> names = new ArrayList<String>();
        Collections.addAll(names, LOGGERS);
        final Enumeration<String> known = LogManager.getLogManager().getLoggerNames();
        while (known.hasMoreElements()) {
            final String name = known.nextElement();
            if (name.startsWith("de.javakaffee.web.msm") && !names.contains(name)) {
                names.add(name);
            }
        }
        for (final String name : names) {
            Logger.getLogger(name).setFilter(filter);
        }
    }

    /** The kind of a record: logger, level, message with ids and numbers blanked, exception class. */
    static String kind(final LogRecord record) {
        final String message = record.getMessage() == null ? "" : record.getMessage();
        final String shape = message.replaceAll("[0-9A-Fa-f]{16,}", "ID").replaceAll("[0-9]+", "N");
        final Throwable thrown = record.getThrown();
        return record.getLoggerName() + '|' + record.getLevel() + '|' + (shape.length() > 80 ? shape.substring(0, 80) : shape) + '|'
            + (thrown == null ? "" : thrown.getClass().getName());
    }

    /** An exception as one line: class and message of it and of each cause. */
    static String oneLine(final Throwable thrown) {
        final StringBuilder sb = new StringBuilder();
        Throwable t = thrown;
        for (int depth = 0; t != null && depth < 5; depth++, t = t.getCause()) {
            sb.append(depth == 0 ? "" : "; cause: ").append(t.getClass().getName());
            if (t.getMessage() != null) {
                sb.append(": ").append(t.getMessage());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }

    @Override
    public boolean isLoggable(final LogRecord record) {
        final String message = record.getMessage();
        if (message != null && message.startsWith(HELD_BACK)) {
            return true;
        }
        if (record.getThrown() == null && record.getLevel().intValue() < Level.WARNING.intValue()) {
            return true;
        }
        final long now = System.currentTimeMillis();
        final String kind = kind(record);
        synchronized (_windows) {
            final Window window = _windows.get(kind);
            if (window != null && now - window.start < _intervalMs) {
                window.held++;
                return false;
            }
            if (window != null) {
                report(kind, window);
            }
            _windows.put(kind, new Window(now, Logger.getLogger(record.getLoggerName()), record.getLevel(), message));
        }
        if (record.getThrown() != null) {
            record.setMessage(message + " [" + oneLine(record.getThrown()) + "] (msm-kit: one line per kind every " + _intervalMs / 1000
                + " s; msmkit.logThrottleSeconds=0 shows every stack trace)");
            record.setThrown(null);
        }
        return true;
    }

    /** Reports windows that ended with records held back. */
    void flush(final long now) {
        final List<Object[]> due = new ArrayList<Object[]>();
        synchronized (_windows) {
            for (final Map.Entry<String, Window> e : new ArrayList<Map.Entry<String, Window>>(_windows.entrySet())) {
                if (now - e.getValue().start >= _intervalMs) {
                    _windows.remove(e.getKey());
                    if (e.getValue().held > 0) {
                        due.add(new Object[] { e.getKey(), e.getValue() });
                    }
                }
            }
        }
        for (final Object[] d : due) {
            report((String) d[0], (Window) d[1]);
        }
    }

    private void report(final String kind, final Window window) {
        if (window.held == 0) {
            return;
        }
        final String example = window.example == null ? "" : window.example;
        window.logger.log(window.level, HELD_BACK + window.held + " more like \"" + (example.length() > 120 ? example.substring(0, 120) + "..." : example)
            + "\" in the " + _intervalMs / 1000 + " s after it");
    }
}
