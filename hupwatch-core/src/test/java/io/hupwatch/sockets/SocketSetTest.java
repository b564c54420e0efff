package io.hupwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.supervisor.BindAddress;
import io.hupwatch.supervisor.PassMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which socket sets get a private runtime directory, and what it looks like. */
@Timeout(30)
class SocketSetTest {
    @TempDir
    Path dir;

    private static SocketSet open(PassMode mode, String... binds) {
        List<BindAddress> addresses = new java.util.ArrayList<>();
        for (int i = 0; i < binds.length; i++) {
            addresses.add(BindAddress.parse(binds[i], i));
        }
        return SocketSet.open(addresses, mode, (generation, line) -> { });
    }

    @Test
    void tcpSocketsPassedOnFdsNeedNoRuntimeDirectory() {
        for (PassMode mode : List.of(PassMode.STDIN, PassMode.SYSTEMD)) {
            try (SocketSet sockets = open(mode, "tcp:127.0.0.1:0")) {
                assertNull(sockets.runtimeDir(), mode.cliName());
                assertTrue(sockets.addresses().get(0).port() > 0);
            }
        }
    }

    @Test
    void handoffAndUnixSocketsGetAPrivateDirectoryThatIsRemovedAtClose() throws Exception {
        for (SocketSet sockets : List.of(open(PassMode.HANDOFF, "tcp:127.0.0.1:0"),
                open(PassMode.STDIN, "unix:" + dir.resolve("s.sock")))) {
            Path runtime;
            try (sockets) {
                runtime = sockets.runtimeDir();
                assertNotNull(runtime);
                assertTrue(runtime.getFileName().toString().startsWith("hupwatch." + ProcessHandle.current().pid()),
                        runtime.toString());
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(runtime)));
            }
            assertFalse(Files.exists(runtime), runtime + " left behind");
        }
    }
}
