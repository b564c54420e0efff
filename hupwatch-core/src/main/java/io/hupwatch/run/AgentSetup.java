package io.hupwatch.run;

import io.hupwatch.sockets.SocketBinder;
import io.hupwatch.spawn.JavaRuntime;
import io.hupwatch.spawn.JvmAgent;
import io.hupwatch.supervisor.JvmAgentMode;
import io.hupwatch.supervisor.Readiness;
import io.hupwatch.supervisor.StartupException;
import io.hupwatch.supervisor.SupervisorConfig;
import io.hupwatch.supervisor.WrapperOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@code --jvm-agent} comes to: the agent to attach (or none), and readiness {@code auto} where it cannot work. */
final class AgentSetup {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    /** A draining JVM waits at most this long for the connections it accepted (and never half the drain timeout). */
    private static final long MAX_GRACE_MILLIS = 5_000;

    private AgentSetup() {
    }

    /**
     * The agent, or one in mode off when it would not attach to COMMAND.
     *
     * @throws StartupException with {@code --jvm-agent on} when the agent jar is missing
     */
    static JvmAgent agent(SupervisorConfig config, WrapperOptions options) {
        JvmAgentMode mode = options.jvmAgent();
        long grace = Math.min(MAX_GRACE_MILLIS, config.drainTimeout().toMillis() / 2);
        String stop = config.stopSignal().name();
        if (mode == JvmAgentMode.OFF || !mode.attachesTo(config.command())) {
            return JvmAgent.of(JvmAgentMode.OFF, stop, grace, SocketBinder.BACKLOG);
        }
        String program = config.command().get(0);
        if (JvmAgentMode.isJava(program)) {
            var slim = JavaRuntime.lackingInstrument(program, System.getenv("PATH"), options.chdir());
            if (slim.isPresent()) {
                log.warn("the Java runtime {} has no java.instrument module: the server runs without hupwatch's Java"
                        + " agent (it binds its own ports; a swap needs --bind with a --pass mode it takes); for the"
                        + " agent, add java.instrument to the image (jlink --add-modules ...,java.instrument)", slim.get());
                return JvmAgent.of(JvmAgentMode.OFF, stop, grace, SocketBinder.BACKLOG);
            }
        }
        try {
            return JvmAgent.of(mode, stop, grace, SocketBinder.BACKLOG).readyTimeout(config.readyTimeout().toMillis());
        } catch (IllegalStateException e) {
            if (mode == JvmAgentMode.ON) {
                throw new StartupException(e.getMessage());
            }
            log.warn("{}; the server runs without it", e.getMessage());
            return JvmAgent.of(JvmAgentMode.OFF, stop, grace, SocketBinder.BACKLOG);
        }
    }

    /** {@code --ready auto} needs the agent to see the server accept; without it, it is the warm-up. */
    static SupervisorConfig readiness(SupervisorConfig config, JvmAgent agent) {
        if (!(config.ready() instanceof Readiness.Auto) || agent.mode() != JvmAgentMode.OFF) {
            return config;
        }
        log.info("--ready auto: hupwatch's Java agent is not attached; a generation is ready after the {} warm-up"
                + " instead", io.hupwatch.supervisor.Durations.format(config.warmup()));
        return new SupervisorConfig(config.command(), config.warmup(), config.drainTimeout(), config.stopSignal(),
                config.binds(), config.pass(), new Readiness.Delay(), config.readyTimeout(), config.probation());
    }
}
