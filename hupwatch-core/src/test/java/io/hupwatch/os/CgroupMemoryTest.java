package io.hupwatch.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cgroup memory files, found from fake {@code /proc/self/cgroup} and {@code mountinfo} over a fake cgroup fs. */
class CgroupMemoryTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private Path proc(String cgroup, String mountinfo) throws IOException {
        Path self = Files.createDirectories(dir.resolve("proc-self"));
        Files.writeString(self.resolve("cgroup"), cgroup);
        Files.writeString(self.resolve("mountinfo"), mountinfo);
        return self;
    }

    private Path files(String cgroupDir, String... nameValue) throws IOException {
        Path d = Files.createDirectories(dir.resolve(cgroupDir));
        for (int i = 0; i < nameValue.length; i += 2) {
            Files.writeString(d.resolve(nameValue[i]), nameValue[i + 1]);
        }
        return d;
    }

    private String v1Mount(String root, String mountPoint) {
        return "31 23 0:28 / " + dir.resolve("fs") + " rw,relatime - tmpfs tmpfs rw\n"
                + "35 31 0:32 " + root + " " + mountPoint + " rw,relatime shared:9 - cgroup cgroup rw,memory\n"
                + "41 31 0:38 / " + dir.resolve("fs/unified") + " rw,relatime - cgroup2 cgroup2 rw\n";
    }

    @Test
    void v1LimitAndUseLessDroppableCache() throws IOException {
        Path cg = files("fs/memory/app", "memory.limit_in_bytes", "314572800\n", "memory.usage_in_bytes", "209715200\n",
                "memory.stat", "cache 1\ntotal_cache " + 60 * MIB + "\ntotal_shmem " + 5 * MIB + "\ntotal_mapped_file "
                        + 15 * MIB + "\nhierarchical_memory_limit 9223372036854771712\n");
        Path self = proc("9:name=systemd:/\n4:memory:/app\n0::/\n", v1Mount("/", dir.resolve("fs/memory").toString()));
        CgroupMemory.Use use = new CgroupMemory(self).read();
        assertEquals(300 * MIB, use.limit());
        assertEquals(160 * MIB, use.used(), "200 used, less 60 cache of which 5 shmem and 15 mapped");
        assertEquals(cg, use.where());
    }

    @Test
    void v1UnlimitedButAnAncestorsHierarchicalLimitCounts() throws IOException {
        files("fs/memory/app", "memory.limit_in_bytes", "9223372036854771712\n", "memory.usage_in_bytes", "100\n",
                "memory.stat", "hierarchical_memory_limit " + 512 * MIB + "\n");
        Path self = proc("4:cpu,memory:/app\n", v1Mount("/", dir.resolve("fs/memory").toString()));
        assertEquals(512 * MIB, new CgroupMemory(self).read().limit());

        files("fs/memory/app", "memory.stat", "hierarchical_memory_limit 9223372036854771712\n");
        assertEquals(-1, new CgroupMemory(self).read().limit(), "no limit anywhere");
    }

    @Test
    void aContainersMountShowsOnlyItsSubtree() throws IOException {
        Path cg = files("fs/memory/inner", "memory.limit_in_bytes", "1048576\n", "memory.usage_in_bytes", "100\n");
        // mount root /docker/abc, own cgroup /docker/abc/inner
        Path self = proc("4:memory:/docker/abc/inner\n", v1Mount("/docker/abc", dir.resolve("fs/memory").toString()));
        assertEquals(cg, new CgroupMemory(self).read().where());
        // a cgroup namespace: the mount's root is the process's own cgroup, which it sees as /
        Path root = files("fs/memory", "memory.limit_in_bytes", "2097152\n", "memory.usage_in_bytes", "100\n");
        self = proc("4:memory:/\n", v1Mount("/docker/abc", dir.resolve("fs/memory").toString()));
        assertEquals(root, new CgroupMemory(self).read().where());
    }

    @Test
    void v2TheAncestorWithTheLeastRoomAndItsUseLessDroppableFiles() throws IOException {
        files("fs2", "cgroup.procs", ""); // the mount's root: no memory files
        Path slice = files("fs2/system.slice", "memory.max", String.valueOf(400 * MIB), "memory.current",
                String.valueOf(300 * MIB), "memory.stat", "anon " + 200 * MIB + "\nfile " + 90 * MIB + "\nshmem "
                        + 10 * MIB + "\nfile_mapped " + 30 * MIB + "\n");
        Path service = files("fs2/system.slice/app service", "memory.max", "max\n", "memory.current",
                String.valueOf(250 * MIB));
        String mounts = "41 31 0:38 / " + dir.resolve("fs2") + " rw - cgroup2 cgroup2 rw\n";
        Path self = proc("0::/system.slice/app service\n", mounts);
        CgroupMemory.Use use = new CgroupMemory(self).read();
        assertEquals(slice, use.where(), "the slice's limit holds the service");
        assertEquals(400 * MIB, use.limit());
        assertEquals(250 * MIB, use.used(), "300 less 50 of unmapped, unshared file pages");

        Files.writeString(service.resolve("memory.max"), String.valueOf(260 * MIB));
        use = new CgroupMemory(self).read();
        assertEquals(service, use.where(), "10 MiB of room here, 150 in the slice");
        assertEquals(250 * MIB, use.used());
    }

    @Test
    void v2HupwatchInALeafBesideItsGenerationsIsJudgedAtTheLimitAboveThem() throws IOException {
        Path service = files("fs2/app", "memory.max", String.valueOf(512 * MIB), "memory.current",
                String.valueOf(300 * MIB));
        files("fs2/app/hupwatch", "memory.max", "max\n", "memory.current", String.valueOf(40 * MIB));
        files("fs2/app/generation-1", "memory.max", "max\n", "memory.current", String.valueOf(260 * MIB));
        Path self = proc("0::/app/hupwatch\n", "41 31 0:38 / " + dir.resolve("fs2") + " rw - cgroup2 cgroup2 rw\n");
        CgroupMemory.Use use = new CgroupMemory(self).read();
        assertEquals(service, use.where());
        assertEquals(300 * MIB, use.used(), "hupwatch and the generations");
    }

    @Test
    void v2WithoutAnyLimitIsNoLimit() throws IOException {
        Path own = files("fs2/app", "memory.max", "max\n", "memory.current", String.valueOf(300 * MIB));
        Path self = proc("0::/app\n", "41 31 0:38 / " + dir.resolve("fs2") + " rw - cgroup2 cgroup2 rw\n");
        CgroupMemory.Use use = new CgroupMemory(self).read();
        assertEquals(-1, use.limit());
        assertEquals(own, use.where());
    }

    @Test
    void anEscapedMountPointIsUnescaped() throws IOException {
        Path cg = files("fs 1/memory/app", "memory.limit_in_bytes", "1048576\n", "memory.usage_in_bytes", "100\n");
        Path self = proc("4:memory:/app\n", v1Mount("/", dir.resolve("fs 1/memory").toString().replace(" ", "\\040")));
        assertEquals(cg, new CgroupMemory(self).read().where());
    }

    @Test
    void noMemoryCgroupIsNoLimit() throws IOException {
        Path self = proc("0::/\n", "31 23 0:28 / /proc rw - proc proc rw\n");
        assertNull(new CgroupMemory(self).read());
        assertNull(new CgroupMemory(dir.resolve("missing")).read());
    }

    @Test
    void privateMemoryIsAnonymousAndSharedMemoryPages() {
        String status = "Name:\tjava\nVmRSS:\t  62380 kB\nRssAnon:\t   39220 kB\nRssFile:\t   23160 kB\nRssShmem:\t"
                + "       4 kB\n";
        assertEquals((39220 + 4) * 1024L, ResidentMemory.parseStatus(status));
        assertEquals(0, ResidentMemory.privateBytes(Long.MAX_VALUE), "a process that is gone");
    }
}
