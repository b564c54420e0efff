package io.hupwatch.agent;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * How many hooks the agent inserted, counted in the changed class itself (calls into the agent's hook
 * classes). A target class that is loaded but has fewer hook points than the agent needs is a JDK,
 * Netty or Tomcat version the agent does not know: one line says so and what the server then does
 * without it, instead of a silent half-served socket.
 */
final class HookCount {
    /** Target class -> the fewest hooks it must get, and what is lost without them. */
    private static final Map<String, Need> NEEDS = Map.of(
            "sun/nio/ch/Net", new Need(1, "binds through the JDK are not claimed: the server binds its own port"),
            "sun/nio/ch/UnixDomainSockets", new Need(1, "unix socket binds through the JDK are not claimed"),
            "sun/nio/ch/ServerSocketChannelImpl", new Need(3,
                    "a claimed socket may be resized by the server's listen or set blocking"),
            "sun/nio/fs/UnixFileSystemProvider", new Need(1, "a server may delete hupwatch's socket file"),
            Instrumenter.TOMCAT_ENDPOINT, new Need(1, "Tomcat's kept-alive connections are not closed at the drain"));
    private static final Need NETTY = new Need(2, "Netty's native binds are not claimed: the server binds its own port");
    private static final Map<String, Integer> INSERTED = new ConcurrentHashMap<>();

    private HookCount() {
    }

    /** What a target needs. */
    record Need(int hooks, String without) {
    }

    /** Notes the hooks in {@code changed}; a target short of its hooks gets one line. @return the count */
    static int inserted(String className, byte[] changed) {
        int n = calls(changed);
        INSERTED.put(className, n);
        Need need = className.endsWith("io/netty/channel/unix/Socket") ? NETTY : NEEDS.get(className);
        if (need != null && n < need.hooks()) {
            AgentLog.info("found " + n + " of the " + need.hooks() + " hook points it needs in "
                    + className.replace('/', '.') + " (a version it does not know): " + need.without());
        }
        return n;
    }

    /** Every hook inserted so far, per class. */
    static Map<String, Integer> counts() {
        return Map.copyOf(INSERTED);
    }

    /** Calls in {@code classBytes} to the agent's hook classes (by name for Netty's). */
    static int calls(byte[] classBytes) {
        int[] n = {0};
        new ClassReader(classBytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String mName, String mDesc, boolean itf) {
                        if (isHook(owner)) {
                            n[0]++;
                        }
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        if (NettyReach.HOOKS.equals(value)) {
                            n[0]++; // a Netty hook, reached by name through the system class loader
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return n[0];
    }

    private static boolean isHook(String owner) {
        return owner.equals(Instrumenter.JDK_HOOKS) || owner.startsWith("io/hupwatch/agent/");
    }
}
