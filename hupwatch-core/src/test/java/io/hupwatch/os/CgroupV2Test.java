package io.hupwatch.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Finding hupwatch's cgroup v2 directory from {@code /proc/self/mountinfo} lines. */
class CgroupV2Test {

    @Test
    void theUnifiedHierarchyMountedWholeShowsEveryCgroupUnderItsMountPoint() {
        String line = "41 31 0:38 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw";
        assertEquals(Path.of("/sys/fs/cgroup/system.slice/app.service"),
                CgroupV2.under(line, "/system.slice/app.service"));
        assertEquals(Path.of("/sys/fs/cgroup/unified/"), CgroupV2.under(line.replace("/sys/fs/cgroup ",
                "/sys/fs/cgroup/unified "), "/"));
    }

    @Test
    void aMountOfASubtreeShowsOnlyWhatIsUnderIt() {
        String line = "50 31 0:38 /box /mnt/cg\\040box rw - cgroup2 cgroup2 rw";
        assertEquals(Path.of("/mnt/cg box/app"), CgroupV2.under(line, "/box/app"));
        assertNull(CgroupV2.under(line, "/boxes/app"));
    }

    @Test
    void aV1MountIsNotUsed() {
        assertNull(CgroupV2.under("35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory", "/"));
    }
}
