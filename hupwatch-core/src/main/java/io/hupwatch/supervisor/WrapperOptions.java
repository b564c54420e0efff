package io.hupwatch.supervisor;

import java.nio.file.Path;

/**
 * What hupwatch does around the supervisor: deploy inputs read at each start, and how it reports.
 *
 * @param chdir   working directory of every generation, resolved anew at each start (null: hupwatch's own)
 * @param envFile KEY=VALUE lines added to each generation's environment, read anew at each start (null: none)
 * @param pidfile where to write hupwatch's pid once generation 1 is ready (null: nowhere)
 * @param control the control socket for {@code hupwatch reload} and {@code status} (null: none)
 * @param jvmAgent which generations get hupwatch's Java agent
 * @param metrics  where to serve {@code /metrics} (null: nowhere)
 */
public record WrapperOptions(Path chdir, Path envFile, Path pidfile, Path control, JvmAgentMode jvmAgent,
        BindAddress metrics) {
    public static final WrapperOptions NONE = new WrapperOptions(null, null, null, null, JvmAgentMode.OFF);

    /** Without metrics. */
    public WrapperOptions(Path chdir, Path envFile, Path pidfile, Path control, JvmAgentMode jvmAgent) {
        this(chdir, envFile, pidfile, control, jvmAgent, null);
    }

    /** Without the agent (as before it existed). */
    public WrapperOptions(Path chdir, Path envFile, Path pidfile, Path control) {
        this(chdir, envFile, pidfile, control, JvmAgentMode.OFF);
    }
}
