/**
 * The native bindings: libc through jnr-ffi ({@link io.hupwatch.os.LibC}, loaded lazily by
 * {@link io.hupwatch.os.Native}), jnr-posix ({@link io.hupwatch.os.Posix}), and the small native
 * helpers built directly on them: signal traps, unix datagrams, close-on-exec hygiene. The callers
 * that fill jnr memory for one call (posix_spawn, bind, waitpid, HandoffServer's sendmsg) stay in
 * their own package and use these bindings; they depend on this package, never the other way round.
 */
package io.hupwatch.os;
