package io.hupwatch.cli;

/**
 * Sets up slf4j-simple before the first logger exists: one line per event on stderr, with a
 * timestamp and level, and nothing on stdout (which belongs to the children).
 */
final class Logging {
    private static final String PREFIX = "org.slf4j.simpleLogger.";
    static final String TIMESTAMP_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

    private Logging() {
    }

    static void configure(int verbosity) {
        String level = switch (Math.max(-2, Math.min(2, verbosity))) {
            case -2 -> "error";
            case -1 -> "warn";
            case 1 -> "debug";
            case 2 -> "trace";
            default -> "info";
        };
        setDefault("logFile", "System.err");
        setDefault("defaultLogLevel", level);
        setDefault("showDateTime", "true");
        setDefault("dateTimeFormat", TIMESTAMP_PATTERN);
        setDefault("showThreadName", "false");
        setDefault("showLogName", "true");
        setDefault("levelInBrackets", "true");
        setDefault("cacheOutputStream", "false");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
