/**
 * Readiness probes, one per {@code --ready} kind (notify socket, output line, exec command), and the
 * sd_notify messages they and the handoff connection turn into events. Uses {@code os}, {@code spawn}
 * and {@code supervisor}.
 */
package io.hupwatch.readiness;
