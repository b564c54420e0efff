package io.hupwatch.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * {@link ProcessTable} read from {@code /proc}: {@code /proc/PID/stat} for the ids and start time,
 * {@code /proc/PID/environ} (readable for hupwatch's own user's processes) for the environment.
 * {@code /proc/PID/status} for the uids. A process is signalled through a pidfd, after its start time
 * and its membership (uids, cgroup) were checked again, so a pid reused in between, or a process
 * that changed its uid (a set-uid program), is never hit.
 */
public final class ProcFsProcesses implements ProcessTable {
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final Path PROC = Path.of("/proc");

    @Override
    public List<ProcessEntry> all() {
        List<ProcessEntry> all = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    ProcessEntry e = read(Long.parseLong(name));
                    if (e != null) {
                        all.add(e);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // /proc itself unreadable: nothing can be found
        }
        return all;
    }

    @Override
    public ProcessEntry entry(long pid) {
        return read(pid);
    }

    /** The entry of {@code pid}, or null when it is gone. */
    static ProcessEntry read(long pid) {
        try {
            return parseStat(Files.readString(PROC.resolve(pid + "/stat"), StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {@code /proc/PID/stat}: "pid (comm) state ppid pgrp session tty tpgid flags ... starttime(22) ...". */
    static ProcessEntry parseStat(String stat) {
        int close = stat.lastIndexOf(')');
        long pid = Long.parseLong(stat.substring(0, stat.indexOf(' ')));
        String[] f = stat.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state), so field N is f[N - 3]
        return new ProcessEntry(pid, Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[19]), f[0].equals("Z") || f[0].equals("X"));
    }

    @Override
    public boolean environmentHas(long pid, List<String> entries) {
        byte[] env;
        try {
            env = Files.readAllBytes(PROC.resolve(pid + "/environ"));
        } catch (IOException | SecurityException e) {
            return false; // another user's, or gone
        }
        Set<String> have = new HashSet<>();
        int start = 0;
        for (int i = 0; i <= env.length; i++) {
            if (i == env.length || env[i] == 0) {
                if (i > start) {
                    have.add(new String(Arrays.copyOfRange(env, start, i), StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return have.containsAll(entries);
    }

    @Override
    public Uids uids(long pid) {
        try {
            for (String line : Files.readAllLines(PROC.resolve(pid + "/status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return new Uids(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return null;
    }

    @Override
    public Set<Long> socketInodes(long pid) {
        return ProcNet.socketInodes(pid);
    }

    /** Whether {@code pid} is {@code ancestor} or descends from it (the parent chain, as it is now). */
    public static boolean descends(long pid, long ancestor) {
        for (var p = ProcessHandle.of(pid); p.isPresent(); p = p.get().parent()) {
            if (p.get().pid() == ancestor) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void signal(ProcessEntry process, int signal, LongPredicate stillMember) {
        LibC libc = Native.libc();
        long pidfd = libc.syscall(SYS_PIDFD_OPEN, process.pid(), 0, 0);
        if (pidfd < 0) {
            return; // gone
        }
        try {
            ProcessEntry now = read(process.pid());
            if (now != null && now.startTime() == process.startTime() && stillMember.test(process.pid())) {
                libc.syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0);
            }
        } finally {
            libc.close((int) pidfd);
        }
    }

    @Override
    public void signalGroup(long pgid, int signal) {
        Native.libc().kill((int) -pgid, signal);
    }
}
