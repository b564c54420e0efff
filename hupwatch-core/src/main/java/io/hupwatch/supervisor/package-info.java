/**
 * The supervisor: one thread that owns every generation of the server and swaps them on SIGHUP.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li><b>One writer.</b> Only {@link io.hupwatch.supervisor.Supervisor#handle} changes supervisor
 *       state, and only the {@link io.hupwatch.supervisor.EventLoop} thread calls it. Signal handlers,
 *       process watchers and timers only post {@link io.hupwatch.supervisor.Event}s.</li>
 *   <li><b>At most one generation starting.</b> A reload asked for while a generation is starting is
 *       remembered as one follow-up reload, however many were asked for, and begins once the starting
 *       generation is ready or has failed.</li>
 *   <li><b>Ready before stop.</b> The serving generation gets the stop signal only after its successor
 *       is ready. Until then it is not signalled at all (forwarded operator signals aside).</li>
 *   <li><b>A probation keeps one way back.</b> With {@code --probation}, the generation a swap replaced
 *       is kept (standby, paused when it can be) until its successor has lived the probation; if the
 *       successor exits, fails its check again or a rollback is asked for, the standby one serves again
 *       before the successor is stopped. A reload or a shutdown ends the probation first.</li>
 *   <li><b>A failed start never touches the serving generation.</b> A generation that cannot be spawned,
 *       exits, or is not ready in time is stopped and forgotten; the serving one keeps serving.</li>
 *   <li><b>Every stop is bounded.</b> A generation sent the stop signal is SIGKILLed if it is still
 *       alive after the drain timeout; a second TERM/INT SIGKILLs at once.</li>
 *   <li><b>hupwatch outlives its children.</b> It exits only once every generation it started has
 *       exited, with the status of the generation that was serving.</li>
 * </ol>
 *
 * <p>The operating system is behind {@link io.hupwatch.supervisor.Host}, so the state machine is
 * tested without forking. This package imports none of the others: the real host and every native
 * call live in {@code io.hupwatch.os}, {@code spawn}, {@code sockets}, {@code readiness} and
 * {@code ops}, wired together in {@code io.hupwatch.run}.
 */
package io.hupwatch.supervisor;
