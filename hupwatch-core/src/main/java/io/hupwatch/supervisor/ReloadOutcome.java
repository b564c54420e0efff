package io.hupwatch.supervisor;

/**
 * How a reload ended, for the client that asked for it.
 *
 * @param ok         whether the new generation is serving
 * @param generation the generation that serves now
 * @param pid        its pid
 * @param reason     why the reload failed (null when ok)
 */
public record ReloadOutcome(boolean ok, int generation, long pid, String reason) {
}
