package io.hupwatch.agent;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;

/**
 * The few native calls the agent needs, borrowed from the JDK's own {@code sun.nio.ch} (present with
 * the same signatures on JDK 17 through 25), so the agent carries no native library: dup2, the socket
 * type, O_NONBLOCK and epoll_ctl. The package is opened to the agent with
 * {@link Instrumentation#redefineModule}, so no {@code --add-opens} is needed.
 */
final class JdkNatives {
    static final int SOCK_STREAM = 1;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;

    private static Method fdVal;
    private static Method newFd;
    private static Method dup2;
    private static Method soType;
    private static Method configureBlocking;
    private static Method epollCtl;
    private static Method listen;
    private static Method close;
    private static Method dup;
    private static Method channelFd;
    private static Method localInet;
    private static Method localUnix;
    private static Method family;
    /** What InheritedChannel.addressFamily answers for a unix socket. */
    private static final int AF_UNIX = 3;
    private static MethodHandles.Lookup sunNioCh;
    private static Instrumentation instrumentation;

    private JdkNatives() {
    }

    /** Opens {@code sun.nio.ch} to the agent and binds the calls (reflection: cheaper to start than method handles). */
    static void init(Instrumentation inst) throws ReflectiveOperationException {
        Module javaBase = Object.class.getModule();
        Module agent = JdkNatives.class.getModule();
        inst.redefineModule(javaBase, Set.of(), Map.of(), Map.of("sun.nio.ch", Set.of(agent)), Set.of(), Map.of());
        instrumentation = inst;
        Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
        Class<?> inherited = Class.forName("sun.nio.ch.InheritedChannel");
        sunNioCh = MethodHandles.privateLookupIn(ioUtil, MethodHandles.lookup());
        fdVal = open(ioUtil.getDeclaredMethod("fdVal", FileDescriptor.class));
        newFd = open(ioUtil.getDeclaredMethod("newFD", int.class));
        configureBlocking = open(ioUtil.getDeclaredMethod("configureBlocking", FileDescriptor.class, boolean.class));
        dup2 = open(inherited.getDeclaredMethod("dup2", int.class, int.class));
        soType = open(inherited.getDeclaredMethod("soType0", int.class));
    }

    private static Method open(Method m) {
        m.setAccessible(true);
        return m;
    }

    /** A lookup with private access in {@code sun.nio.ch}, to define the agent's hook class there. */
    static MethodHandles.Lookup sunNioCh() {
        return sunNioCh;
    }

    static int fdVal(FileDescriptor fd) {
        return (Integer) call(fdVal, fd);
    }

    static void dup2(int from, int to) throws IOException {
        callIo(dup2, from, to);
    }

    /** SOCK_STREAM, SOCK_DGRAM, ... or -1 when {@code fd} is not a socket. */
    static int socketType(int fd) {
        try {
            return (Integer) soType.invoke(null, fd);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    /** Sets or clears O_NONBLOCK (a property of the open file, so shared by every holder). */
    static void setBlocking(int fd, boolean blocking) throws IOException {
        callIo(configureBlocking, call(newFd, fd), blocking);
    }

    /** dup(2): a new fd for the same open file. */
    static synchronized int dup(int fd) throws IOException {
        try {
            if (dup == null) {
                dup = open(Class.forName("sun.nio.ch.InheritedChannel").getDeclaredMethod("dup", int.class));
            }
        } catch (ReflectiveOperationException e) {
            throw new IOException("no dup in this JDK: " + e);
        }
        try {
            return (Integer) dup.invoke(null, fd);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IOException(e);
        }
    }

    /** close(2), quietly. */
    static synchronized void close(int fd) {
        try {
            if (close == null) {
                close = open(Class.forName("sun.nio.ch.InheritedChannel").getDeclaredMethod("close0", int.class));
            }
            close.invoke(null, fd);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // already closed, or never open here
        }
    }

    /** listen(2) on {@code fd}: on a listening socket it only sets the backlog. */
    static synchronized void listen(int fd, int backlog) throws IOException {
        if (listen == null) {
            try {
                listen = open(Class.forName("sun.nio.ch.Net").getDeclaredMethod("listen", FileDescriptor.class, int.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        callIo(listen, call(newFd, fd), backlog);
    }

    /** epoll_ctl with {@code data.fd = fd} (as the JDK's selectors and Netty register); 0 or -errno. */
    static synchronized int epollCtl(int epfd, int op, int fd, int events) {
        if (epollCtl == null) {
            try {
                epollCtl = open(Class.forName("sun.nio.ch.EPoll").getDeclaredMethod("ctl", int.class, int.class,
                        int.class, int.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return (Integer) call(epollCtl, epfd, op, fd, events);
    }

    /**
     * The local address of socket {@code fd} (getsockname): an InetSocketAddress, or for a unix socket
     * its path as a String; null when it has none or is not a socket.
     */
    static synchronized Object localAddress(int fd) {
        try {
            if (localInet == null) {
                localInet = open(Class.forName("sun.nio.ch.Net").getDeclaredMethod("localAddress", FileDescriptor.class));
                localUnix = open(Class.forName("sun.nio.ch.UnixDomainSockets").getDeclaredMethod("localAddress",
                        FileDescriptor.class));
            }
            Object fdo = call(newFd, fd);
            if (socketFamily(fd) == AF_UNIX) {
                Object a = localUnix.invoke(null, fdo);
                return a == null ? null : a.toString();
            }
            return localInet.invoke(null, fdo);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static int socketFamily(int fd) {
        try {
            if (family == null) {
                family = open(Class.forName("sun.nio.ch.InheritedChannel").getDeclaredMethod("addressFamily", int.class));
            }
            return (Integer) family.invoke(null, fd);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Lets {@code module} load native code without the JDK's warning (JDK 22 and later; nothing to do
     * before): what {@code --enable-native-access=MODULE} does, for one module of the agent's own.
     */
    static void enableNativeAccess(Module module) {
        if (Runtime.version().feature() < 22 || instrumentation == null) {
            return;
        }
        try {
            // java.lang is opened to the agent only here, in a JVM that asks for its sockets on JDK 22+
            instrumentation.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                    Map.of("java.lang", Set.of(JdkNatives.class.getModule())), Set.of(), Map.of());
            open(Module.class.getDeclaredMethod("implAddEnableNativeAccess")).invoke(module);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the JDK then warns once when that module loads its library, and that is all
        }
    }

    /** The fd number behind a JDK server socket channel. */
    static synchronized int fdOf(java.nio.channels.ServerSocketChannel channel) {
        if (channelFd == null) {
            try {
                channelFd = open(Class.forName("sun.nio.ch.ServerSocketChannelImpl").getDeclaredMethod("getFD"));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return fdVal((FileDescriptor) channelFd.invoke(channel));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object call(Method m, Object... args) {
        try {
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw rethrow(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void callIo(Method m, Object... args) throws IOException {
        try {
            m.invoke(null, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw rethrow(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof IOException io) {
            return new java.io.UncheckedIOException(io);
        }
        return new IllegalStateException(t);
    }
}
