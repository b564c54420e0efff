package io.hupwatch.cli;

import picocli.CommandLine.Command;

@Command(name = "hupwatch",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        synopsisHeading = "Usage: ",
        customSynopsis = "hupwatch [OPTIONS] -- COMMAND [ARG...]%n"
                + "       hupwatch run [OPTIONS] -- COMMAND [ARG...]%n"
                + "       hupwatch reload --control PATH [--timeout DUR]%n"
                + "       hupwatch status --control PATH [--json] [--timeout DUR]%n"
                + "       hupwatch rollback --control PATH [--timeout DUR]%n",
        description = {
            "",
            "Runs COMMAND as a child under a wrapper whose pid never changes. On SIGHUP it starts a new"
                + " generation of COMMAND, waits until it is ready, then sends the old one the stop signal and"
                + " waits for it to drain. TERM or INT stops every generation and exits with the status of the"
                + " one that was serving.",
            ""},
        footer = {
            "",
            "Signals: HUP reloads; TERM and INT shut down (a second one skips the drain); USR1, USR2, WINCH,"
                + " TTIN and TTOU are forwarded to the serving generation.",
            "Exit status: the serving generation's (128+N if signal N killed it); 2 for a usage error;"
                + " 127/126 when COMMAND is not found/not executable; 1 when hupwatch cannot start.",
            "Durations: 250ms, 30s, 2m, 1h, or a number of seconds (1.5)."})
/** {@code hupwatch}; its subcommands are added by {@link Main#commandLine()}. */
final class HupwatchCommand extends SupervisingCommand {
}
