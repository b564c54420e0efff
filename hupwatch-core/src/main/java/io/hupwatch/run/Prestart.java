package io.hupwatch.run;


/**
 * Set-up that {@link Supervision#run} will need whatever the command line says (libc and the calls
 * that start a generation, the locale data of log timestamps), begun on a second thread so that it
 * overlaps with parsing the command line. Deliberately without a logger: slf4j is configured only
 * once the command line is parsed, and the first logger fixes its settings.
 */
public final class Prestart {
    private Prestart() {
    }

    /** Returns at once. */
    public static void inBackground(String timestampPattern) {
        StartupWarmer.startInBackground(timestampPattern);
    }
}
