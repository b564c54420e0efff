package io.hupwatch.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent's {@code Premain-Class}, compiled for Java 8 so that any JVM can load it: on a JVM older
 * than 17 (the rest of the agent is Java 17 bytecode, and a failing {@code -javaagent} would abort
 * the JVM) it says so in one line and the server runs without the agent.
 */
public final class Premain {
    private Premain() {
    }

    public static void premain(String args, Instrumentation inst) {
        if (System.getenv("HUPWATCH_AGENT") == null) {
            return;
        }
        int feature = feature(System.getProperty("java.specification.version", "0"));
        if (feature < 17) {
            System.err.println("hupwatch-agent: this JVM is Java " + System.getProperty("java.specification.version")
                    + " and the agent needs 17 or later: the server runs without it (use --jvm-agent off to stop"
                    + " adding it)");
            return;
        }
        try {
            Class.forName("io.hupwatch.agent.HupwatchAgent").getMethod("premain", String.class, Instrumentation.class)
                    .invoke(null, args, inst);
        } catch (Throwable t) {
            System.err.println("hupwatch-agent: not attached (" + t + "); the server runs without it");
        }
    }

    /** 8 for "1.8", 17 for "17". */
    static int feature(String specification) {
        String s = specification.startsWith("1.") ? specification.substring(2) : specification;
        int dot = s.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? s : s.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
