package io.hupwatch.agent;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The bytecode changes, each a few instructions at one place (ASM, no frames recomputed, so no
 * class is loaded while transforming):
 * <ul>
 *   <li>a bind: at the method's entry, {@code if (hook(args)) return;} — JDK {@code Net.bind},
 *       {@code UnixDomainSockets.bind}, Netty's {@code Socket.bind};</li>
 *   <li>a listen or blocking-mode call: the last argument is passed through a hook first —
 *       JDK call sites of {@code Net.listen} and {@code IOUtil.configureBlocking}, Netty's {@code Socket.listen};</li>
 *   <li>a file delete: {@code if (hook(path)) return true;} — the JDK's unix file delete;</li>
 *   <li>a server object noted at the end of its constructor — Tomcat's {@code AbstractEndpoint};</li>
 *   <li>an HTTP/1 response about to be written — {@link Http1Instrumenter}.</li>
 * </ul>
 */
final class Instrumenter {
    static final String JDK_HOOKS = "sun/nio/ch/HupwatchHooks";
    static final String NETTY_HOOKS = "io/hupwatch/agent/NettyHooks";
    static final String SERVER_HOOKS = "io/hupwatch/agent/ServerHooks";
    static final String TOMCAT_ENDPOINT = "org/apache/tomcat/util/net/AbstractEndpoint";
    private static final String FD = "Ljava/io/FileDescriptor;";

    private Instrumenter() {
    }

    /** The transformed class, or null when {@code className} is not one the agent changes. */
    static byte[] transform(String className, byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        ClassVisitor visitor = switch (className) {
            case "sun/nio/ch/Net" -> entryGuard(writer, "bind",
                    "(Ljava/net/ProtocolFamily;" + FD + "Ljava/net/InetAddress;I)V", JDK_HOOKS, "bind", false);
            case "sun/nio/ch/UnixDomainSockets" -> entryGuard(writer, "bind", "(" + FD + "Ljava/nio/file/Path;)V",
                    JDK_HOOKS, "bindUnix", false);
            case "sun/nio/ch/ServerSocketChannelImpl", "sun/nio/ch/NioSocketImpl",
                    "sun/nio/ch/AsynchronousServerSocketChannelImpl" -> callFilters(writer);
            case "sun/nio/fs/UnixFileSystemProvider" -> entryGuard(writer, "implDelete", "(Ljava/nio/file/Path;Z)Z",
                    JDK_HOOKS, "keepFile", true);
            case TOMCAT_ENDPOINT -> constructorExit(writer, SERVER_HOOKS, "tomcatEndpoint");
            default -> className.endsWith("io/netty/channel/unix/Socket") ? nettySocket(writer, className)
                    : Http1Instrumenter.visitor(className, writer);
        };
        if (visitor == null) {
            return null;
        }
        reader.accept(visitor, 0);
        byte[] changed = writer.toByteArray();
        HookCount.inserted(className, changed);
        return changed;
    }

    /**
     * At the entry of {@code name desc}: calls {@code hooks.hook} with the method's arguments (all of
     * them for a static method; for {@code keepFile} only the first) and returns early when it says true.
     */
    private static ClassVisitor entryGuard(ClassWriter writer, String name, String desc, String hooks, String hook,
            boolean returnTrue) {
        return new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String n, String d, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, n, d, signature, exceptions);
                if (!n.equals(name) || !d.equals(desc)) {
                    return mv;
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
                        Type[] args = Type.getArgumentTypes(desc);
                        String hookDesc;
                        if (returnTrue) {
                            mv.visitVarInsn(Opcodes.ALOAD, isStatic ? 0 : 1);
                            hookDesc = "(Ljava/nio/file/Path;)Z";
                        } else {
                            int slot = isStatic ? 0 : 1;
                            for (Type t : args) {
                                mv.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slot);
                                slot += t.getSize();
                            }
                            hookDesc = Type.getMethodDescriptor(Type.BOOLEAN_TYPE, args);
                        }
                        mv.visitMethodInsn(Opcodes.INVOKESTATIC, hooks, hook, hookDesc, false);
                        Label go = new Label();
                        mv.visitJumpInsn(Opcodes.IFEQ, go);
                        if (returnTrue) {
                            mv.visitInsn(Opcodes.ICONST_1);
                            mv.visitInsn(Opcodes.IRETURN);
                        } else {
                            mv.visitInsn(Opcodes.RETURN);
                        }
                        mv.visitLabel(go);
                        mv.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
                        // keeps the original first instruction's own frame, if it has one, at another offset
                        mv.visitInsn(Opcodes.NOP);
                    }
                };
            }
        };
    }

    /** Before each return of every constructor: {@code hooks.hook(this)}, to note a server object. */
    private static ClassVisitor constructorExit(ClassWriter writer, String hooks, String hook) {
        return new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String n, String d, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, n, d, signature, exceptions);
                if (!n.equals("<init>")) {
                    return mv;
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.RETURN) {
                            mv.visitVarInsn(Opcodes.ALOAD, 0);
                            mv.visitMethodInsn(Opcodes.INVOKESTATIC, hooks, hook, "(Ljava/lang/Object;)V", false);
                        }
                        super.visitInsn(opcode);
                    }
                };
            }
        };
    }

    /** JDK call sites of {@code Net.listen(fd, backlog)} and {@code IOUtil.configureBlocking(fd, block)}. */
    private static ClassVisitor callFilters(ClassWriter writer) {
        return new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String n, String d, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, n, d, signature, exceptions)) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
                        if (opcode == Opcodes.INVOKESTATIC && owner.equals("sun/nio/ch/Net") && name.equals("listen")
                                && desc.equals("(" + FD + "I)V")) {
                            filterLast(this, JDK_HOOKS, "listen", "(" + FD + "I)I");
                        } else if (opcode == Opcodes.INVOKESTATIC && owner.equals("sun/nio/ch/IOUtil")
                                && name.equals("configureBlocking") && desc.equals("(" + FD + "Z)V")) {
                            filterLast(this, JDK_HOOKS, "blocking", "(" + FD + "Z)Z");
                        }
                        super.visitMethodInsn(opcode, owner, name, desc, itf);
                    }
                };
            }
        };
    }

    /** Stack {@code fd, x} becomes {@code fd, hook(fd, x)} (both one slot wide). */
    private static void filterLast(MethodVisitor mv, String hooks, String hook, String desc) {
        mv.visitInsn(Opcodes.DUP2);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, hooks, hook, desc, false);
        mv.visitInsn(Opcodes.SWAP);
        mv.visitInsn(Opcodes.POP);
    }

    /**
     * Netty's native transports: {@code Socket.bind(SocketAddress)} and {@code Socket.listen(int)}. The hook
     * is reached through java.base types only ({@link NettyReach}), so that it works where the class loader of
     * Netty cannot see the agent's classes (OSGi, JBoss Modules).
     */
    private static ClassVisitor nettySocket(ClassWriter writer, String socketClass) {
        return new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String n, String d, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, n, d, signature, exceptions);
                boolean bind = n.equals("bind") && d.equals("(Ljava/net/SocketAddress;)V");
                boolean listen = n.equals("listen") && d.equals("(I)V");
                if ((access & Opcodes.ACC_STATIC) != 0 || !(bind || listen)) {
                    return mv;
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        NettyReach.call(mv, socketClass, listen);
                    }
                };
            }
        };
    }
}
