package io.hupwatch.agent;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The code put at the entry of Netty's {@code Socket.bind} and {@code Socket.listen}. It names no class of
 * the agent: it finds {@link NettyHooks} through the system class loader and calls it by reflection, so
 * only java.base types are resolved from Netty's class loader (an OSGi bundle or a JBoss module sees
 * {@code java.*} and nothing of the class path). Any failure leaves Netty's own call to run as usual:
 * <pre>
 * try {
 *     Method m = Class.forName("io.hupwatch.agent.NettyHooks", false, ClassLoader.getSystemClassLoader())
 *             .getMethod("call", Object[].class);
 *     Object r = m.invoke(null, new Object[] {new Object[] {"bind", intValue(), address, getClass().getName()}});
 *     if (r == Boolean.TRUE) return;                       // bind: claimed
 *     backlog = ((Integer) r).intValue();                   // listen: the backlog to use
 * } catch (Throwable t) { }
 * </pre>
 */
final class NettyReach {
    static final String HOOKS = "io.hupwatch.agent.NettyHooks";

    private NettyReach() {
    }

    static void call(MethodVisitor mv, String socketClass, boolean listen) {
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        Label go = new Label();
        mv.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
        mv.visitLabel(start);
        mv.visitLdcInsn(HOOKS);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/ClassLoader", "getSystemClassLoader",
                "()Ljava/lang/ClassLoader;", false);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Class", "forName",
                "(Ljava/lang/String;ZLjava/lang/ClassLoader;)Ljava/lang/Class;", false);
        mv.visitLdcInsn("call");
        mv.visitInsn(Opcodes.ICONST_1);
        mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Class");
        mv.visitInsn(Opcodes.DUP);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitLdcInsn(Type.getType("[Ljava/lang/Object;"));
        mv.visitInsn(Opcodes.AASTORE);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Class", "getMethod",
                "(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;", false);
        mv.visitInsn(Opcodes.ACONST_NULL);
        // new Object[] {new Object[] {op, Integer.valueOf(intValue()), arg}}
        mv.visitInsn(Opcodes.ICONST_1);
        mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
        mv.visitInsn(Opcodes.DUP);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitInsn(Opcodes.ICONST_4);
        mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
        store(mv, 0, () -> mv.visitLdcInsn(listen ? "listen" : "bind"));
        store(mv, 1, () -> {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, socketClass, "intValue", "()I", false);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "valueOf", "(I)Ljava/lang/Integer;", false);
        });
        store(mv, 2, () -> {
            if (listen) {
                mv.visitVarInsn(Opcodes.ILOAD, 1);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "valueOf", "(I)Ljava/lang/Integer;", false);
            } else {
                mv.visitVarInsn(Opcodes.ALOAD, 1);
            }
        });
        store(mv, 3, () -> {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Object", "getClass", "()Ljava/lang/Class;", false);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Class", "getName", "()Ljava/lang/String;", false);
        });
        mv.visitInsn(Opcodes.AASTORE);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/reflect/Method", "invoke",
                "(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;", false);
        if (listen) {
            mv.visitTypeInsn(Opcodes.CHECKCAST, "java/lang/Integer");
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Integer", "intValue", "()I", false);
            mv.visitVarInsn(Opcodes.ISTORE, 1);
            mv.visitJumpInsn(Opcodes.GOTO, go);
        } else {
            mv.visitFieldInsn(Opcodes.GETSTATIC, "java/lang/Boolean", "TRUE", "Ljava/lang/Boolean;");
            mv.visitJumpInsn(Opcodes.IF_ACMPNE, go);
            mv.visitInsn(Opcodes.RETURN);
        }
        mv.visitLabel(end);
        mv.visitLabel(handler);
        mv.visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[] {"java/lang/Throwable"});
        mv.visitInsn(Opcodes.POP);
        mv.visitLabel(go);
        mv.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
        // keeps the original first instruction's own frame, if it has one, at another offset
        mv.visitInsn(Opcodes.NOP);
    }

    /** {@code array[index] = value}, the array on the stack staying there. */
    private static void store(MethodVisitor mv, int index, Runnable value) {
        mv.visitInsn(Opcodes.DUP);
        mv.visitInsn(Opcodes.ICONST_0 + index);
        value.run();
        mv.visitInsn(Opcodes.AASTORE);
    }
}
