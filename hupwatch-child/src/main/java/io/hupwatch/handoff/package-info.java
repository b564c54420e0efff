/**
 * The handoff protocol and its client side: the wire format ({@link io.hupwatch.handoff.HandoffProtocol},
 * JDK only, so that it can be shaded alone), receiving the fds over SCM_RIGHTS
 * ({@link io.hupwatch.handoff.HandoffClient}) and turning them into JDK channels or Netty fds
 * ({@link io.hupwatch.handoff.FdChannels}). hupwatch-core's server side speaks the same protocol.
 */
package io.hupwatch.handoff;
