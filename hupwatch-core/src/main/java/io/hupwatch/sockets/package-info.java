/**
 * The listening sockets: binding them, stale socket files, the runtime directory, and the pass modes
 * that place them in each generation (handoff, systemd, stdin), with the server side of the handoff
 * protocol ({@link io.hupwatch.sockets.HandoffServer}, whose sendmsg with SCM_RIGHTS stays here with
 * the protocol it serves). Uses {@code os}, {@code spawn}, {@code supervisor} and hupwatch-child.
 */
package io.hupwatch.sockets;
