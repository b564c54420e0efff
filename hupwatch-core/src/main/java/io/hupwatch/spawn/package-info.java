/**
 * Starting and reaping children: what one start runs ({@link io.hupwatch.spawn.Launch}),
 * posix_spawn, resolving the executable, the children hupwatch knows about, tying a child's life to
 * hupwatch's (parent death) and, as PID 1, reaping orphans. Uses {@code os} and {@code supervisor}.
 */
package io.hupwatch.spawn;
