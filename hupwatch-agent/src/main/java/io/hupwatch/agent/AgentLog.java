package io.hupwatch.agent;

/** The agent's few lines on stderr, each saying which generation and pid it speaks for. */
final class AgentLog {
    private static volatile String prefix = "hupwatch-agent: ";

    private AgentLog() {
    }

    static void generation(int generation) {
        prefix = "hupwatch-agent: generation " + generation + " (pid " + ProcessHandle.current().pid() + ") ";
    }

    static void info(String message) {
        System.err.println(prefix + message);
    }
}
