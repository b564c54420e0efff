package io.hupwatch.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What {@code hupwatch ...} and {@code hupwatch run ...} share: the run options, and supervising. */
abstract class SupervisingCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Launcher.launch(options, spec.commandLine());
    }
}
