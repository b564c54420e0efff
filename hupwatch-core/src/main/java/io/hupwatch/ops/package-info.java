/**
 * What operators and service managers talk to: the control socket, the systemd notifier, the
 * pidfile and the env-file. Uses {@code os}, {@code sockets} (stale socket files) and {@code supervisor}.
 */
package io.hupwatch.ops;
