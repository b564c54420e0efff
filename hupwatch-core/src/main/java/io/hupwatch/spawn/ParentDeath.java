package io.hupwatch.spawn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generations must not outlive hupwatch holding its sockets when it is killed outright (SIGKILL,
 * the OOM killer). Each command is started through util-linux {@code setpriv --pdeathsig TERM}, which
 * sets the Linux parent-death signal and execs the command (same pid). The signal fires when the
 * thread that started the process ends: hupwatch starts every generation from its event loop thread,
 * which lives exactly as long as hupwatch.
 */
public final class ParentDeath {
    private static final Logger log = LoggerFactory.getLogger("hupwatch");
    private static final Path SETPRIV = find();

    private ParentDeath() {
    }

    private static Path find() {
        for (String p : new String[] {"/usr/bin/setpriv", "/bin/setpriv"}) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        log.warn("setpriv (util-linux) not found: generations will not be stopped if hupwatch itself is killed"
                + " with SIGKILL; install util-linux");
        return null;
    }

    public static List<String> wrap(List<String> command) {
        if (SETPRIV == null) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of(SETPRIV.toString(), "--pdeathsig", "TERM", "--"));
        wrapped.addAll(command);
        return wrapped;
    }
}
