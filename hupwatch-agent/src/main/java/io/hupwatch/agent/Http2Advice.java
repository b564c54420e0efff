package io.hupwatch.agent;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The one bytecode change for HTTP/2: at the entry of Netty's
 * {@code Http2ConnectionHandler.handlerAdded(ChannelHandlerContext)} (also when shaded, as in
 * {@code grpc-netty-shaded}), {@code try { Http2GoAway.connection(ctx); } catch (Throwable t) {}} —
 * so every HTTP/2 connection's handler context is noted as the connection is set up (subclasses such
 * as gRPC's {@code NettyServerHandler} and {@code Http2FrameCodec} call it through {@code super}).
 * The catch keeps the server working where its class loader cannot see the agent's classes.
 */
final class Http2Advice {
    private static final String HANDLER = "io/netty/handler/codec/http2/Http2ConnectionHandler";
    private static final String HOOKS = "io/hupwatch/agent/Http2GoAway";

    private Http2Advice() {
    }

    static boolean isTarget(String className) {
        return className.endsWith(HANDLER);
    }

    static byte[] transform(String className, byte[] bytes) {
        String ctxType = "L" + className.substring(0, className.length() - HANDLER.length())
                + "io/netty/channel/ChannelHandlerContext;";
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String n, String d, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, n, d, signature, exceptions);
                if (!n.equals("handlerAdded") || !d.equals("(" + ctxType + ")V")
                        || (access & Opcodes.ACC_STATIC) != 0) {
                    return mv;
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        noteContext(mv);
                    }
                };
            }
        }, 0);
        return writer.toByteArray();
    }

    private static void noteContext(MethodVisitor mv) {
        Label start = new Label();
        Label end = new Label();
        Label failed = new Label();
        Label go = new Label();
        mv.visitTryCatchBlock(start, end, failed, "java/lang/Throwable");
        mv.visitLabel(start);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "connection", "(Ljava/lang/Object;)V", false);
        mv.visitLabel(end);
        mv.visitJumpInsn(Opcodes.GOTO, go);
        mv.visitLabel(failed);
        mv.visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[] {"java/lang/Throwable"});
        mv.visitInsn(Opcodes.POP);
        mv.visitLabel(go);
        mv.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
        // keeps the original first instruction's own frame, if it has one, at another offset
        mv.visitInsn(Opcodes.NOP);
    }
}
