package io.hupwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** The bytecode changes, on the running JDK's own classes: which calls reach the hooks, and where. */
class InstrumenterTest {

    @Test
    void netBindAsksTheHookFirst() throws Exception {
        List<String> calls = calls(Instrumenter.transform("sun/nio/ch/Net", jdkClass("sun/nio/ch/Net")), "bind",
                "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V");
        assertEquals("sun/nio/ch/HupwatchHooks.bind", calls.get(0));
    }

    @Test
    void serverChannelsFilterListenAndBlockingMode() throws Exception {
        byte[] out = Instrumenter.transform("sun/nio/ch/ServerSocketChannelImpl",
                jdkClass("sun/nio/ch/ServerSocketChannelImpl"));
        List<String> all = calls(out, null, null);
        assertEquals(count(all, "sun/nio/ch/Net.listen"), count(all, "sun/nio/ch/HupwatchHooks.listen"));
        assertEquals(count(all, "sun/nio/ch/IOUtil.configureBlocking"), count(all, "sun/nio/ch/HupwatchHooks.blocking"));
        assertEquals(2, count(all, "sun/nio/ch/HupwatchHooks.listen"), "netBind and unixBind");
    }

    @Test
    void unixFileDeleteAsksTheHook() throws Exception {
        List<String> calls = calls(Instrumenter.transform("sun/nio/fs/UnixFileSystemProvider",
                jdkClass("sun/nio/fs/UnixFileSystemProvider")), "implDelete", "(Ljava/nio/file/Path;Z)Z");
        assertEquals("sun/nio/ch/HupwatchHooks.keepFile", calls.get(0));
    }

    @Test
    void theJdkHttpServerAsksTheSwitchBeforeEachResponseHead() throws Exception {
        byte[] original = Files.readAllBytes(FileSystems.getFileSystem(URI.create("jrt:/")).getPath("modules",
                "jdk.httpserver", Http1Instrumenter.JDK_EXCHANGE + ".class"));
        List<String> calls = calls(Instrumenter.transform(Http1Instrumenter.JDK_EXCHANGE, original),
                "sendResponseHeaders", "(IJ)V");
        assertEquals(List.of("sun/nio/ch/HupwatchHooks.connectionClose", "com/sun/net/httpserver/Headers.set"),
                calls.subList(0, 2));
    }

    @Test
    void nettyJettyAndUndertowAskTheSwitchBeforeEachResponseHead() throws Exception {
        String http = "io/netty/handler/codec/http/";
        assertEquals(List.of(http + "HttpResponse.status", http + "HttpResponseStatus.code",
                "io/hupwatch/agent/ConnectionClose.answer", http + "HttpUtil.setKeepAlive"),
                firstCalls(http + "HttpObjectEncoder", "encode",
                        "(Lio/netty/channel/ChannelHandlerContext;Ljava/lang/Object;Ljava/util/List;)V", 4));
        assertEquals(List.of("org/eclipse/jetty/http/MetaData$Response.getStatus",
                "io/hupwatch/agent/ConnectionClose.answer", "org/eclipse/jetty/http/HttpGenerator.setPersistent"),
                firstCalls(Http1Instrumenter.JETTY_GENERATOR, "generateResponseLine",
                        "(Lorg/eclipse/jetty/http/MetaData$Response;Ljava/nio/ByteBuffer;)V", 3));
        assertEquals(List.of("io/undertow/server/HttpServerExchange.getStatusCode",
                "io/hupwatch/agent/ConnectionClose.answer", "io/undertow/server/HttpServerExchange.setPersistent"),
                firstCalls(Http1Instrumenter.UNDERTOW_ENCODING, "createSinkConduit",
                        "(Lio/undertow/server/HttpServerExchange;)Lorg/xnio/conduits/StreamSinkConduit;", 3));
        assertTrue(ConnectionClose.hooked().containsAll(Set.of("Netty HTTP/1", "Jetty", "Undertow")));
    }

    /** The first {@code n} calls of one method of a class on the test class path, once transformed. */
    private List<String> firstCalls(String className, String method, String desc, int n) throws Exception {
        byte[] original;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(className + ".class")) {
            assertNotNull(in, className);
            original = in.readAllBytes();
        }
        return calls(Instrumenter.transform(className, original), method, desc).subList(0, n);
    }

    @Test
    void otherClassesAreLeftAlone() throws Exception {
        assertNull(Instrumenter.transform("java/lang/String", jdkClass("java/lang/String")));
    }

    @Test
    void theHookClassIsRenamedIntoTheJdk() throws Exception {
        byte[] bytes;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("io/hupwatch/agent/boot/JdkHooks.class")) {
            assertNotNull(in);
            bytes = in.readAllBytes();
        }
        byte[] renamed = HookSetup.renamed(bytes, "io/hupwatch/agent/boot/JdkHooks", Instrumenter.JDK_HOOKS);
        assertEquals("sun/nio/ch/HupwatchHooks", new ClassReader(renamed).getClassName());
        for (String call : calls(renamed, null, null)) {
            assertEquals(false, call.startsWith("io/hupwatch/"), call);
        }
    }

    @Test
    void nettyReachesItsHookWhereItsClassLoaderCannotSeeTheAgent() throws Exception {
        String name = "fake/io/netty/channel/unix/Socket";
        byte[] changed;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(name + ".class")) {
            changed = Instrumenter.transform(name, in.readAllBytes());
        }
        assertEquals(2, HookCount.calls(changed), "bind and listen");
        // a loader like an OSGi bundle's: java.* and its own classes, nothing of the class path
        ClassLoader bundle = new ClassLoader(ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> findClass(String n) throws ClassNotFoundException {
                if (n.equals(name.replace('/', '.'))) {
                    return defineClass(n, changed, 0, changed.length);
                }
                throw new ClassNotFoundException(n);
            }
        };
        assertThrows(ClassNotFoundException.class, () -> bundle.loadClass(NettyReach.HOOKS));
        Class<?> socket = bundle.loadClass(name.replace('/', '.'));
        Object s = socket.getConstructor().newInstance();
        long before = NettyHooks.calls.get();
        java.net.InetSocketAddress address = new java.net.InetSocketAddress("127.0.0.1", 8080);
        socket.getMethod("bind", java.net.SocketAddress.class).invoke(s, address);
        assertEquals(address, socket.getField("bound").get(s), "not claimed (no held socket): Netty binds as usual");
        socket.getMethod("listen", int.class).invoke(s, 7);
        assertEquals(7, socket.getField("backlog").get(s));
        assertEquals(before + 2, NettyHooks.calls.get(), "both calls reached the agent through the system class loader");
    }

    @Test
    void nettyIoUringIsNotServedAndSaysSoOnce() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            java.net.InetSocketAddress address = new java.net.InetSocketAddress("127.0.0.1", 8080);
            assertEquals(Boolean.FALSE, NettyHooks.call(new Object[] {"bind", 9, address, "io.netty.channel.uring.LinuxSocket"}));
            assertEquals(50, NettyHooks.call(new Object[] {"listen", 9, 50, "io.netty.channel.uring.LinuxSocket"}));
            assertEquals(false, NettyHooks.notServed("io.netty.channel.epoll.LinuxSocket"));
        } finally {
            System.setErr(saved);
        }
        String line = err.toString();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains("does not serve Netty's io_uring transport"), line);
    }

    @Test
    void everyJdkTargetGetsTheHooksItNeeds() throws Exception {
        for (String target : List.of("sun/nio/ch/Net", "sun/nio/ch/UnixDomainSockets", "sun/nio/ch/ServerSocketChannelImpl",
                "sun/nio/fs/UnixFileSystemProvider")) {
            int n = HookCount.calls(Instrumenter.transform(target, jdkClass(target)));
            assertTrue(n >= 1, target + ": " + n);
            assertEquals(n, HookCount.counts().get(target));
        }
    }

    @Test
    void aTargetOfAnUnknownVersionIsSaidInOneLine() throws Exception {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            // a Net without the bind(ProtocolFamily, FileDescriptor, InetAddress, int) the agent knows
            Instrumenter.transform("sun/nio/ch/Net", jdkClass("sun/nio/ch/IOUtil"));
        } finally {
            System.setErr(saved);
        }
        String line = err.toString();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains("found 0 of the 1 hook points it needs in sun.nio.ch.Net")
                && line.contains("the server binds its own port"), line);
    }

    private static long count(List<String> calls, String call) {
        return calls.stream().filter(call::equals).count();
    }

    private static byte[] jdkClass(String name) throws Exception {
        return Files.readAllBytes(FileSystems.getFileSystem(URI.create("jrt:/")).getPath("modules", "java.base",
                name + ".class"));
    }

    /** "owner.name" of each method call, in order, in one method (or in all, when name is null). */
    private static List<String> calls(byte[] bytes, String method, String desc) {
        List<String> calls = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String d, String signature, String[] exceptions) {
                if (method != null && !(name.equals(method) && d.equals(desc))) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String n, String dd, boolean itf) {
                        calls.add(owner + "." + n);
                    }
                };
            }
        }, 0);
        return calls;
    }
}
