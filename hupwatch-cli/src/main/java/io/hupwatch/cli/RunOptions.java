package io.hupwatch.cli;

import io.hupwatch.supervisor.BindAddress;
import io.hupwatch.supervisor.Durations;
import io.hupwatch.supervisor.JvmAgentMode;
import io.hupwatch.supervisor.PassMode;
import io.hupwatch.supervisor.Readiness;
import io.hupwatch.supervisor.SupervisorConfig;
import io.hupwatch.supervisor.PosixSignal;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** The options of {@code hupwatch run}, shared by the bare {@code hupwatch} form. */
final class RunOptions {
    @Option(names = {"-b", "--bind"}, paramLabel = "ADDR",
            description = "A listening socket hupwatch holds for all generations (repeatable): unix:/abs/path,"
                    + " tcp:HOST:PORT or tcp:[v6addr]:PORT, optionally prefixed NAME= (default name: tcp0, unix1..."
                    + " after the kind and position).")
    List<String> binds = new java.util.ArrayList<>();

    @Option(names = "--pass", paramLabel = "MODE", defaultValue = "handoff", converter = PassModeConverter.class,
            description = "How each generation receives the sockets: handoff (SCM_RIGHTS over $HUPWATCH_SOCKET),"
                    + " stdin (the one socket is fd 0) or systemd (fds 3, 4... with LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES)"
                    + " (default: ${DEFAULT-VALUE}).")
    PassMode pass;

    @Option(names = "--ready", paramLabel = "MODE", converter = ReadinessConverter.class,
            description = "When a new generation counts as ready: auto (hupwatch's Java agent sees the server accept"
                    + " on every socket hupwatch holds), delay (alive after --warmup), notify (it sends READY=1 to"
                    + " $NOTIFY_SOCKET, or through the Java child API), log:REGEX (a line of its output matches),"
                    + " exec:CMD (CMD exits 0; retried) (default: auto when the agent is attached, unless --warmup"
                    + " is given; else delay).")
    Readiness ready;

    @Option(names = "--ready-timeout", paramLabel = "DUR", defaultValue = "60s", converter = DurationConverter.class,
            description = "A generation not ready this long after its start is stopped; the serving one keeps"
                    + " serving (default: ${DEFAULT-VALUE}).")
    Duration readyTimeout;

    @Option(names = {"-w", "--warmup", "--warmup-time"}, paramLabel = "DUR", converter = DurationConverter.class,
            description = "With --ready delay: a new generation counts as ready once it has stayed alive this long;"
                    + " given without --ready, it means --ready delay (default: 1s).")
    Duration warmup;

    @Option(names = "--drain-timeout", paramLabel = "DUR", defaultValue = "30s", converter = DurationConverter.class,
            description = "After the stop signal, how long a generation may drain before SIGKILL,"
                    + " on reload and shutdown alike (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(names = "--probation", paramLabel = "DUR", converter = DurationConverter.class,
            description = "After a swap, how long the old generation stays warm, not accepting, while the new one"
                    + " proves itself: if the new one exits, its --ready exec check fails when run again, or"
                    + " hupwatch rollback is run, the old one accepts again at once and the new one is stopped;"
                    + " otherwise the old one then drains. 0 drains at once. The old generation is paused through"
                    + " hupwatch's Java agent; a server without it keeps accepting alongside for that time."
                    + " (default: 10s when the old generation can be paused, i.e. the agent is attached; else 0).")
    Duration probation;

    @Option(names = "--stop-signal", paramLabel = "SIG", defaultValue = "TERM", converter = SignalConverter.class,
            description = "The signal that asks a generation to drain (default: ${DEFAULT-VALUE}).")
    PosixSignal stopSignal;

    @Option(names = "--chdir", paramLabel = "DIR", converter = PathConverter.class,
            description = "Working directory of every generation, resolved anew at each start (a switched"
                    + " current -> releases/N symlink is followed).")
    java.nio.file.Path chdir;

    @Option(names = "--env-file", paramLabel = "FILE", converter = PathConverter.class,
            description = "KEY=VALUE lines added to each generation's environment, read anew at each start; an"
                    + " unreadable or malformed file fails that reload and the old generation keeps serving.")
    java.nio.file.Path envFile;

    @Option(names = "--pidfile", paramLabel = "FILE", converter = PathConverter.class,
            description = "Write hupwatch's pid here (atomically) once generation 1 is ready; removed at exit.")
    java.nio.file.Path pidfile;

    @Option(names = "--control", paramLabel = "PATH", converter = PathConverter.class,
            description = "A unix control socket (mode 0600) for hupwatch reload, status and rollback.")
    java.nio.file.Path control;

    @Option(names = "--metrics", paramLabel = "ADDR", converter = MetricsAddressConverter.class,
            description = "Serve /metrics (Prometheus text format) on tcp:HOST:PORT, tcp:[v6addr]:PORT or"
                    + " unix:/abs/path (default: off).")
    BindAddress metrics;

    @Option(names = "--jvm-agent", paramLabel = "MODE", defaultValue = "auto", converter = JvmAgentConverter.class,
            description = "hupwatch's Java agent, which makes an unmodified JVM server serve the sockets hupwatch"
                    + " holds (claimed at bind; without --bind, the ones its first generation opens are adopted),"
                    + " report readiness when it accepts, and drain first on the stop signal:"
                    + " auto (when COMMAND's program is java: -javaagent right after it), on (every JVM of the"
                    + " generation, a start script's or a launcher's too, through JAVA_TOOL_OPTIONS), off"
                    + " (default: ${DEFAULT-VALUE}).")
    JvmAgentMode jvmAgent;

    @Option(names = {"-k", "--kill-at-exit"},
            description = "Accepted for compatibility: hupwatch always stops its children when it exits.")
    boolean killAtExit;

    @Option(names = "-v", description = "More logging (-vv for even more).")
    boolean[] verbose = new boolean[0];

    @Option(names = "-q", description = "Less logging: warnings and errors only (-qq: errors only).")
    boolean[] quiet = new boolean[0];

    @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "The server command and its arguments.")
    List<String> command = new java.util.ArrayList<>();

    /**
     * COMMAND is checked here rather than by picocli, which would demand it of {@code hupwatch}
     * even when the {@code run} subcommand carries it.
     */
    void requireCommand(picocli.CommandLine commandLine) {
        if (command == null || command.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(commandLine,
                    "Missing required parameter: 'COMMAND' (put it after --)");
        }
        if (command.get(0).isBlank()) {
            throw new picocli.CommandLine.ParameterException(commandLine,
                    "COMMAND is empty: give the program to run after --");
        }
    }

    /** -1, 0, 1, 2 ... from the -q and -v counts. */
    int verbosity() {
        return verbose.length - quiet.length;
    }

    static final Duration DEFAULT_WARMUP = Duration.ofSeconds(1);

    /** --warmup, or its default. */
    Duration warmup() {
        return warmup == null ? DEFAULT_WARMUP : warmup;
    }

    /**
     * --ready as given; else delay when --warmup is given (that setup chose the warm-up), auto when the
     * agent attaches to COMMAND, delay otherwise.
     */
    Readiness readiness() {
        if (ready != null) {
            return ready;
        }
        if (warmup == null && jvmAgent.attachesTo(command)) {
            return new Readiness.Auto();
        }
        return new Readiness.Delay();
    }

    /** The --bind values as addresses, named by kind and position unless NAME= is given. */
    List<BindAddress> bindAddresses() {
        List<BindAddress> out = new java.util.ArrayList<>();
        for (int i = 0; i < binds.size(); i++) {
            out.add(BindAddress.parse(binds.get(i), i));
        }
        return out;
    }

    /**
     * A parser's IllegalArgumentException, whose message names the accepted forms, as picocli's usage
     * error. (Subclasses rather than lambdas: picocli's interfaces are Java 5 class files, and a lambda
     * implementing one cannot be kept in the class-data archive, so it would be spun at every start.)
     */
    abstract static class Converter<T> implements ITypeConverter<T> {
        abstract T parse(String value);

        @Override
        public final T convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ReadinessConverter extends Converter<Readiness> {
        @Override
        Readiness parse(String value) {
            return SupervisorConfig.parseReadiness(value);
        }
    }

    static final class MetricsAddressConverter extends Converter<BindAddress> {
        @Override
        BindAddress parse(String value) {
            int eq = value.indexOf('=');
            if (eq >= 0 && (value.indexOf(':') < 0 || eq < value.indexOf(':'))) {
                throw new IllegalArgumentException("'" + value + "': --metrics takes no NAME= prefix;"
                        + " use tcp:HOST:PORT or unix:/abs/path");
            }
            return BindAddress.parse(value, 0);
        }
    }

    static final class JvmAgentConverter extends Converter<JvmAgentMode> {
        @Override
        JvmAgentMode parse(String value) {
            return JvmAgentMode.parse(value);
        }
    }

    static final class PassModeConverter extends Converter<PassMode> {
        @Override
        PassMode parse(String value) {
            return PassMode.parse(value);
        }
    }

    static final class DurationConverter extends Converter<Duration> {
        @Override
        Duration parse(String value) {
            return Durations.parse(value);
        }
    }

    /** A path; an empty one (an unset variable, as in --chdir "$RELEASE") is refused rather than taken for ".". */
    static final class PathConverter extends Converter<java.nio.file.Path> {
        @Override
        java.nio.file.Path parse(String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException("the path is empty (an unset variable?); give a path");
            }
            return java.nio.file.Path.of(value);
        }
    }

    static final class SignalConverter extends Converter<PosixSignal> {
        @Override
        PosixSignal parse(String value) {
            PosixSignal sig = PosixSignal.parse(value);
            if (sig == PosixSignal.STOP) {
                throw new IllegalArgumentException("SIGSTOP cannot be a stop signal: it pauses the server"
                        + " instead of asking it to drain; use TERM, INT or QUIT");
            }
            if (sig == PosixSignal.KILL) {
                throw new IllegalArgumentException("SIGKILL cannot be a stop signal: it cannot be caught, so every"
                        + " drain would be a kill (--drain-timeout already ends in SIGKILL); use TERM, INT or QUIT");
            }
            return sig;
        }
    }
}
