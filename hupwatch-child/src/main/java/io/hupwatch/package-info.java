/**
 * The child API: {@link io.hupwatch.Hupwatch}, for JVM servers started with {@code --pass handoff}
 * (their sockets, readiness, draining, noticing that hupwatch is gone). Depend on
 * {@code io.hupwatch:hupwatch-child} for it, not on the supervisor.
 */
package io.hupwatch;
