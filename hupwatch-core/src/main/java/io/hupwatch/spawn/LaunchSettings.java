package io.hupwatch.spawn;

import io.hupwatch.supervisor.Readiness;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What every start shares: the readiness mode, and the deploy inputs read anew at each start.
 *
 * @param readiness how a generation reports that it is ready
 * @param chdir     the working directory, resolved (symlinks followed) at each start; null: hupwatch's own
 * @param envFile   KEY=VALUE lines added to the environment, read at each start; null: none
 * @param drainTimeout how long a daemon that left a generation is waited for after its first process exited
 */
public record LaunchSettings(Readiness readiness, Path chdir, Path envFile, Duration drainTimeout) {
    /** With the default drain timeout, 30 s. */
    public LaunchSettings(Readiness readiness, Path chdir, Path envFile) {
        this(readiness, chdir, envFile, Duration.ofSeconds(30));
    }
}
