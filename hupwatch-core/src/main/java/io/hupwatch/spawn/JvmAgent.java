package io.hupwatch.spawn;

import io.hupwatch.supervisor.JvmAgentMode;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * hupwatch's Java agent and how a generation gets it: {@code -javaagent:<jar>} right after a
 * {@code java} program, or (mode {@code on}) in {@code JAVA_TOOL_OPTIONS} for a start script; and
 * the variable {@value #VARIABLE} that tells the agent what hupwatch holds. Its format (the agent
 * module's {@code AgentSettings} reads it): {@code v=1;generation=N;link=PATH;stop=SIG;backlog=N;grace=MS[;ready=MS][;adopt=1];client=CLASSPATH;held=FD:DEV:INO@ADDRESS...},
 * values percent-encoded ({@code %25}, {@code %3B}). {@code client} is hupwatch's own class path: a JVM
 * that lacks the held fds (a launcher started it without them) loads hupwatch's handoff client from
 * it, in a class loader of its own, to ask for them over the link.
 *
 * <p>The jar is {@value #JAR_NAME} beside hupwatch's own jar (the build and a release both put it
 * there); {@code -Dhupwatch.agent.jar=PATH} or {@code HUPWATCH_AGENT_JAR} name another.
 */
public final class JvmAgent {
    public static final String JAR_NAME = "hupwatch-agent.jar";
    public static final String VARIABLE = "HUPWATCH_AGENT";

    private final JvmAgentMode mode;
    private final Path jar;
    private final String stopSignal;
    private final long graceMillis;
    private final int backlog;
    private final long readyMillis;

    private JvmAgent(JvmAgentMode mode, Path jar, String stopSignal, long graceMillis, int backlog, long readyMillis) {
        this.mode = mode;
        this.jar = jar;
        this.stopSignal = stopSignal;
        this.graceMillis = graceMillis;
        this.backlog = backlog;
        this.readyMillis = readyMillis;
    }

    /**
     * The readiness timeout, told to the agent: past it, the held sockets its server has not bound are
     * a port this release dropped, and the agent closes its copies of them. 0: never.
     */
    public JvmAgent readyTimeout(long millis) {
        return new JvmAgent(mode, jar, stopSignal, graceMillis, backlog, millis);
    }

    /**
     * @param stopSignal  the stop signal's name without SIG ({@code TERM})
     * @param graceMillis how long a draining JVM waits for the connections it had accepted
     * @param backlog     the backlog hupwatch listens with
     * @throws IllegalStateException when the agent is wanted but its jar is missing (the message says
     *                               where it was looked for and what to do)
     */
    public static JvmAgent of(JvmAgentMode mode, String stopSignal, long graceMillis, int backlog) {
        Path jar = null;
        if (mode != JvmAgentMode.OFF) {
            jar = locate();
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("hupwatch's Java agent is not at " + jar + ": rebuild hupwatch"
                        + " (mvn package), name the jar with HUPWATCH_AGENT_JAR, or use --jvm-agent off");
            }
        }
        return new JvmAgent(mode, jar, stopSignal, graceMillis, backlog, 0);
    }

    private static Path locate() {
        String named = System.getProperty("hupwatch.agent.jar", System.getenv("HUPWATCH_AGENT_JAR"));
        if (named != null && !named.isBlank()) {
            return Path.of(named).toAbsolutePath().normalize();
        }
        try {
            Path own = Path.of(JvmAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return (Files.isDirectory(own) ? own : own.getParent()).resolve(JAR_NAME).toAbsolutePath().normalize();
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of(JAR_NAME).toAbsolutePath();
        }
    }

    public JvmAgentMode mode() {
        return mode;
    }

    public Path jar() {
        return jar;
    }

    /** Whether a generation running {@code command} gets the agent. */
    public boolean attachesTo(List<String> command) {
        return mode.attachesTo(command);
    }

    /**
     * Adds the agent to the start: in mode auto right after {@code java}; in mode on to {@code JAVA_TOOL_OPTIONS},
     * so that every JVM of the generation has it, also one that a {@code java} launcher forks.
     */
    public void addTo(Launch launch) {
        String option = "-javaagent:" + jar;
        if (mode == JvmAgentMode.AUTO && JvmAgentMode.isJava(launch.command.get(0))) {
            launch.command.add(1, option);
        } else {
            String tool = launch.environment.get("JAVA_TOOL_OPTIONS");
            String quoted = toolOption(option);
            launch.environment.put("JAVA_TOOL_OPTIONS", tool == null || tool.isBlank() ? quoted : tool + " " + quoted);
        }
    }

    /**
     * {@code option} as one word of {@code JAVA_TOOL_OPTIONS}, which the JVM splits at white space
     * unless it is inside single or double quotes (HotSpot, JDK 9 and later): quoted when it has to be.
     */
    static String toolOption(String option) {
        if (option.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'')) {
            return option;
        }
        return option.indexOf('"') < 0 ? '"' + option + '"' : '\'' + option + '\'';
    }

    /**
     * The value of {@value #VARIABLE} for one generation.
     *
     * @param link the generation's handoff socket, where the agent reports
     * @param held  "FD:DEV:INO@ADDRESS" of each socket hupwatch holds, FD being where it is open in the child
     *              and DEV:INO the identity of its open file (a claim checks it, not the fd number alone)
     * @param adopt whether the agent hands over the listening sockets its server opens on fixed ports
     */
    public String settings(int generation, Path link, List<String> held, boolean adopt) {
        StringBuilder sb = new StringBuilder("v=1;generation=").append(generation)
                .append(";link=").append(encode(link.toString()))
                .append(";stop=").append(stopSignal)
                .append(";backlog=").append(backlog)
                .append(";grace=").append(graceMillis);
        if (readyMillis > 0) {
            sb.append(";ready=").append(readyMillis);
        }
        if (adopt) {
            sb.append(";adopt=1");
        }
        String client = ownClassPath();
        if (!client.isEmpty()) {
            sb.append(";client=").append(encode(client));
        }
        for (String h : held) {
            sb.append(";held=").append(encode(h));
        }
        return sb.toString();
    }

    /** hupwatch's class path, each entry absolute (the agent's JVM may run elsewhere). */
    static String ownClassPath() {
        StringBuilder sb = new StringBuilder();
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                sb.append(sb.length() == 0 ? "" : java.io.File.pathSeparator)
                        .append(Path.of(entry).toAbsolutePath().normalize());
            }
        }
        return sb.toString();
    }

    private static String encode(String value) {
        return value.replace("%", "%25").replace(";", "%3B");
    }
}
