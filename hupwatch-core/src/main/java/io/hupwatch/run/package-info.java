/**
 * The composition root: {@link io.hupwatch.run.Supervision} wires sockets, signal traps, the control
 * socket, the real {@link io.hupwatch.supervisor.Host} ({@link io.hupwatch.run.OsHost}) and the event
 * loop together; {@link io.hupwatch.run.Prestart} starts the start-up warm-up. The only package that
 * depends on all the others; none depends on it.
 */
package io.hupwatch.run;
