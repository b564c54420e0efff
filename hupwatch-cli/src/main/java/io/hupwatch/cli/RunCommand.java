package io.hupwatch.cli;

import picocli.CommandLine.Command;

@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Supervise COMMAND (the same as hupwatch without 'run').")
final class RunCommand extends SupervisingCommand {
}
