/**
 * Every native binding of hupwatch-core: libc through jnr-ffi ({@link io.hupwatch.os.LibC}, loaded lazily by
 * {@link io.hupwatch.os.Native}), jnr-posix ({@link io.hupwatch.os.Posix}), jnr-unixsocket, and the small
 * native helpers built on them: starting a generation ({@link io.hupwatch.os.PosixSpawn}), waiting for a
 * child ({@link io.hupwatch.os.WaitPid}), listening sockets ({@link io.hupwatch.os.TcpListen},
 * {@link io.hupwatch.os.UnixStreamServer}), fd passing ({@link io.hupwatch.os.UnixStreamConnection}),
 * signal traps, unix datagrams, close-on-exec hygiene. No other package imports jnr: what these classes
 * take and return are JDK types (fds as ints, byte arrays, buffers, records of this package), and a failed
 * call is reported with the call and the errno named. Other packages depend on this
 * one, never the other way round.
 */
package io.hupwatch.os;
