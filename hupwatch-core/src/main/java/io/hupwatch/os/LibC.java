package io.hupwatch.os;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/** The few libc functions neither the JDK nor jnr-posix offers. Bound lazily by {@link Native}. */
public interface LibC {
    int kill(int pid, int signal);

    /** Used only to put back SIG_DFL (a null handler) on a signal that was ignored at start-up. */
    Pointer signal(int signal, Pointer handler);

    String strerror(int errno);

    int socket(int domain, int type, int protocol);

    int setsockopt(int fd, int level, int option, Pointer value, int length);

    int bind(int fd, Pointer address, int length);

    int listen(int fd, int backlog);

    int getsockname(int fd, Pointer address, IntByReference length);

    int getsockopt(int fd, int level, int option, IntByReference value, IntByReference length);

    /** Only for calls glibc has no wrapper for on every supported version (pidfd_open, pidfd_getfd). */
    long syscall(long number, long a, long b, long c);

    /** The same, for a four-argument call (pidfd_send_signal). */
    long syscall(long number, long a, long b, long c, long d);

    /** Only PR_SET_CHILD_SUBREAPER. */
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    int shutdown(int fd, int how);

    int close(int fd);

    int pipe2(@Out int[] fds, int flags);

    @ssize_t long read(int fd, @Out byte[] buffer, @size_t long length);

    /** Only FIONREAD (the bytes waiting in a pipe). */
    int ioctl(int fd, long request, IntByReference value);

    /** Only the int-argument commands (F_SETFD, F_GETFL, ...). */
    int fcntl(int fd, int command, int argument);

    @ssize_t long recv(int fd, Pointer buffer, @size_t long length, int flags);

    @ssize_t long sendto(int fd, Pointer buffer, @size_t long length, int flags, Pointer address, int addressLength);

    /** glibc 2.29 and later. */
    int posix_spawn_file_actions_addchdir_np(Pointer actions, String path);

    int posix_spawn_file_actions_init(Pointer actions);

    int posix_spawn_file_actions_destroy(Pointer actions);

    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

    /** glibc 2.34 and later. */
    int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    /** Returns 0, or the errno of the failure (including the exec's own: ENOENT, EACCES...). */
    int posix_spawnp(IntByReference pid, String file, Pointer actions, Pointer attr, @In String[] argv,
            @In String[] envp);

    int waitpid(int pid, IntByReference status, int options);
}
