package io.hupwatch.supervisor;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** When a new generation counts as ready ({@code --ready}). */
public sealed interface Readiness {

    /**
     * hupwatch's Java agent sees the generation accept on every socket hupwatch holds (the default
     * when the agent is attached): no warm-up guess.
     */
    record Auto() implements Readiness {
        /** How the agent's report reads in the log; only this report promotes a generation in this mode. */
        public static final String HOW = "accepting on every socket hupwatch holds";
    }

    /** Alive after {@code --warmup}. */
    record Delay() implements Readiness {
    }

    /** It sends {@code READY=1} to its {@code NOTIFY_SOCKET} (sd_notify), or through the Java child API. */
    record Notify() implements Readiness {
    }

    /** A line of its stdout or stderr matches. */
    record LogLine(Pattern pattern) implements Readiness {
    }

    /** {@code /bin/sh -c command} exits 0 (retried until the ready timeout). */
    record Exec(String command) implements Readiness {
    }

    /** @throws IllegalArgumentException naming the accepted forms */
    static Readiness parse(String text) {
        if (text.equals("auto")) {
            return new Auto();
        }
        if (text.equals("delay")) {
            return new Delay();
        }
        if (text.equals("notify")) {
            return new Notify();
        }
        if (text.startsWith("log:") && text.length() > 4) {
            try {
                return new LogLine(Pattern.compile(text.substring(4)));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + text + "': not a valid regular expression: "
                        + e.getDescription());
            }
        }
        if (text.startsWith("exec:") && !text.substring(5).isBlank()) {
            return new Exec(text.substring(5));
        }
        throw new IllegalArgumentException("'" + text + "' is not a readiness mode: use auto, delay, notify,"
                + " log:REGEX or exec:COMMAND");
    }

    /**
     * Whether the warm-up makes a generation ready: always with delay; with auto while hupwatch holds no
     * socket (a JVM that opens none is still served); never otherwise.
     */
    default boolean byWarmup(boolean holdsSockets) {
        return this instanceof Delay || (this instanceof Auto && !holdsSockets);
    }

    /**
     * Whether a generation's own report ({@code how}: {@code READY=1}, a matched log line, the agent's
     * {@link Auto#HOW}...) promotes it in this mode: the agent's only with auto, the others only without.
     */
    default boolean takes(String how) {
        return !(this instanceof Delay) && (this instanceof Auto) == how.equals(Auto.HOW);
    }

    /** How the mode reads in logs. */
    default String describe() {
        if (this instanceof LogLine l) {
            return "a log line matching /" + l.pattern() + "/";
        }
        if (this instanceof Exec e) {
            return "'" + e.command() + "' succeeding";
        }
        if (this instanceof Auto) {
            return "the server accepting on every held socket";
        }
        return this instanceof Notify ? "READY=1" : "the warm-up";
    }
}
