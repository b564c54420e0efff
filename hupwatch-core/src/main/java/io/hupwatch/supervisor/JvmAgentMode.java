package io.hupwatch.supervisor;

import java.util.List;
import java.util.Locale;

/**
 * {@code --jvm-agent}: which generations get hupwatch's Java agent. {@code auto}: a COMMAND whose
 * program is {@code java} (it gets {@code -javaagent:} right after it); {@code on}: also a start
 * script (through {@code JAVA_TOOL_OPTIONS}); {@code off}: none.
 */
public enum JvmAgentMode {
    AUTO, ON, OFF;

    /** @throws IllegalArgumentException naming the accepted values */
    public static JvmAgentMode parse(String text) {
        for (JvmAgentMode m : values()) {
            if (m.cliName().equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a --jvm-agent mode: use auto, on or off");
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a generation running {@code command} gets the agent in this mode. */
    public boolean attachesTo(List<String> command) {
        return this == ON || (this == AUTO && isJava(command.get(0)));
    }

    /** A program named {@code java}, by path or on PATH. */
    public static boolean isJava(String program) {
        return program.substring(program.lastIndexOf('/') + 1).equals("java");
    }
}
