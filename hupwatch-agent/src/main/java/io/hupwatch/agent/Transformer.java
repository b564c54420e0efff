package io.hupwatch.agent;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Set;

/**
 * Hands the few target classes to {@link Instrumenter}; every other class passes untouched, after
 * one name check. A JDK class waits until the hook class it will call exists.
 */
final class Transformer implements ClassFileTransformer {
    private static final Set<String> JDK_TARGETS = Set.of("sun/nio/ch/Net", "sun/nio/ch/UnixDomainSockets",
            "sun/nio/ch/ServerSocketChannelImpl", "sun/nio/ch/NioSocketImpl",
            "sun/nio/ch/AsynchronousServerSocketChannelImpl", "sun/nio/fs/UnixFileSystemProvider");
    private static final String UNIX_FILES = "sun/nio/fs/UnixFileSystemProvider";

    private final boolean unix;
    private final HookSetup hooks;

    /** @param unix whether a unix socket is held (only then is the JDK's file delete watched) */
    Transformer(boolean unix, HookSetup hooks) {
        this.unix = unix;
        this.hooks = hooks;
    }

    static boolean isJdkTarget(String className, boolean unix) {
        return JDK_TARGETS.contains(className) && (unix || !className.equals(UNIX_FILES));
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
            byte[] bytes) {
        if (className == null) {
            return null;
        }
        // the JDK HttpServer's exchange (platform loader) calls the hook class in the JDK too
        boolean jdk = loader == null && isJdkTarget(className, unix) || className.equals(Http1Instrumenter.JDK_EXCHANGE);
        if (!jdk && !className.endsWith("io/netty/channel/unix/Socket")
                && !className.equals(Instrumenter.TOMCAT_ENDPOINT) && !Http1Instrumenter.isTarget(className)
                && !Http2Advice.isTarget(className)) {
            return null;
        }
        if (jdk && !hooks.await()) {
            return null;
        }
        try {
            return Http2Advice.isTarget(className) ? Http2Advice.transform(className, bytes)
                    : Instrumenter.transform(className, bytes);
        } catch (Throwable t) {
            AgentLog.info("left " + className.replace('/', '.') + " unchanged (" + t + ")");
            return null;
        }
    }
}
