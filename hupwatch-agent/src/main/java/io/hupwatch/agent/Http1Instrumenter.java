package io.hupwatch.agent;

import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The HTTP/1 hooks of {@link ConnectionClose}: at the entry of the one method each server calls per
 * response before it writes the response head, {@code if (answer(status)) <make this response close>}:
 * <ul>
 *   <li>JDK HttpServer, {@code ExchangeImpl.sendResponseHeaders(status, length)}: the response header
 *       {@code Connection: close} (the server then closes after the exchange);</li>
 *   <li>Netty 4.1/4.2 (also shaded), {@code HttpObjectEncoder.encode(ctx, msg, out)} for an
 *       {@code HttpResponse}: {@code HttpUtil.setKeepAlive(response, false)} (the client closes);</li>
 *   <li>Jetty 9.4-12, {@code HttpGenerator.generateResponseLine(response, buffer)}:
 *       {@code setPersistent(false)} (header and close by Jetty);</li>
 *   <li>Undertow 2, {@code HttpTransferEncoding.createSinkConduit(exchange)}: {@code setPersistent(false)}
 *       and the header (HEAD answers too).</li>
 * </ul>
 */
final class Http1Instrumenter {
    static final String JDK_EXCHANGE = "sun/net/httpserver/ExchangeImpl";
    static final String JETTY_GENERATOR = "org/eclipse/jetty/http/HttpGenerator";
    static final String UNDERTOW_ENCODING = "io/undertow/server/protocol/http/HttpTransferEncoding";
    private static final String NETTY_ENCODER = "io/netty/handler/codec/http/HttpObjectEncoder";
    private static final String SWITCH = "io/hupwatch/agent/ConnectionClose";

    private Http1Instrumenter() {
    }

    static boolean isTarget(String className) {
        return className.equals(JDK_EXCHANGE) || className.equals(JETTY_GENERATOR)
                || className.equals(UNDERTOW_ENCODING) || className.endsWith(NETTY_ENCODER);
    }

    /** The visitor that adds the hook of {@code className}, or null when it is not an HTTP/1 target. */
    static ClassVisitor visitor(String className, ClassWriter writer) {
        if (className.equals(JDK_EXCHANGE)) {
            return new EntryHook(writer, "JDK HttpServer", "sendResponseHeaders", "(IJ)V") {
                @Override
                void hook(MethodVisitor mv, Label skip) {
                    mv.visitVarInsn(Opcodes.ILOAD, 1);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, Instrumenter.JDK_HOOKS, "connectionClose", "(I)Z", false);
                    mv.visitJumpInsn(Opcodes.IFEQ, skip);
                    mv.visitVarInsn(Opcodes.ALOAD, 0);
                    mv.visitFieldInsn(Opcodes.GETFIELD, JDK_EXCHANGE, "rspHdrs", "Lcom/sun/net/httpserver/Headers;");
                    mv.visitLdcInsn("Connection");
                    mv.visitLdcInsn("close");
                    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "com/sun/net/httpserver/Headers", "set",
                            "(Ljava/lang/String;Ljava/lang/String;)V", false);
                }
            };
        }
        if (className.equals(JETTY_GENERATOR)) {
            String response = "org/eclipse/jetty/http/MetaData$Response";
            return new EntryHook(writer, "Jetty", "generateResponseLine", "(L" + response + ";Ljava/nio/ByteBuffer;)V") {
                @Override
                void hook(MethodVisitor mv, Label skip) {
                    mv.visitVarInsn(Opcodes.ALOAD, 1);
                    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, response, "getStatus", "()I", false);
                    answer(mv, skip);
                    mv.visitVarInsn(Opcodes.ALOAD, 0);
                    mv.visitInsn(Opcodes.ICONST_0);
                    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, JETTY_GENERATOR, "setPersistent", "(Z)V", false);
                }
            };
        }
        if (className.equals(UNDERTOW_ENCODING)) {
            String exchange = "io/undertow/server/HttpServerExchange";
            return new EntryHook(writer, "Undertow", "createSinkConduit",
                    "(L" + exchange + ";)Lorg/xnio/conduits/StreamSinkConduit;") {
                @Override
                void hook(MethodVisitor mv, Label skip) {
                    mv.visitVarInsn(Opcodes.ALOAD, 0);
                    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, exchange, "getStatusCode", "()I", false);
                    answer(mv, skip);
                    mv.visitVarInsn(Opcodes.ALOAD, 0);
                    mv.visitInsn(Opcodes.ICONST_0);
                    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, exchange, "setPersistent", "(Z)L" + exchange + ";", false);
                    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, exchange, "getResponseHeaders",
                            "()Lio/undertow/util/HeaderMap;", false);
                    mv.visitFieldInsn(Opcodes.GETSTATIC, "io/undertow/util/Headers", "CONNECTION",
                            "Lio/undertow/util/HttpString;");
                    mv.visitLdcInsn("close");
                    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "io/undertow/util/HeaderMap", "put",
                            "(Lio/undertow/util/HttpString;Ljava/lang/String;)Lio/undertow/util/HeaderMap;", false);
                    mv.visitInsn(Opcodes.POP);
                }
            };
        }
        if (className.endsWith(NETTY_ENCODER)) {
            String http = className.substring(0, className.length() - "HttpObjectEncoder".length());
            String ctx = className.substring(0, className.length() - NETTY_ENCODER.length())
                    + "io/netty/channel/ChannelHandlerContext";
            return new EntryHook(writer, "Netty HTTP/1", "encode", "(L" + ctx + ";Ljava/lang/Object;Ljava/util/List;)V") {
                @Override
                void hook(MethodVisitor mv, Label skip) {
                    mv.visitVarInsn(Opcodes.ALOAD, 2);
                    mv.visitTypeInsn(Opcodes.INSTANCEOF, http + "HttpResponse");
                    mv.visitJumpInsn(Opcodes.IFEQ, skip);
                    mv.visitVarInsn(Opcodes.ALOAD, 2);
                    mv.visitTypeInsn(Opcodes.CHECKCAST, http + "HttpResponse");
                    mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, http + "HttpResponse", "status",
                            "()L" + http + "HttpResponseStatus;", true);
                    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, http + "HttpResponseStatus", "code", "()I", false);
                    answer(mv, skip);
                    mv.visitVarInsn(Opcodes.ALOAD, 2);
                    mv.visitTypeInsn(Opcodes.CHECKCAST, http + "HttpMessage");
                    mv.visitInsn(Opcodes.ICONST_0);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, http + "HttpUtil", "setKeepAlive",
                            "(L" + http + "HttpMessage;Z)V", false);
                }
            };
        }
        return null;
    }

    /** {@code if (!ConnectionClose.answer(status on the stack)) goto skip}. */
    private static void answer(MethodVisitor mv, Label skip) {
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, SWITCH, "answer", "(I)Z", false);
        mv.visitJumpInsn(Opcodes.IFEQ, skip);
    }

    /** Inserts {@link #hook} at the entry of one method; notes the server as hooked once it did. */
    private abstract static class EntryHook extends ClassVisitor {
        private final String server;
        private final String name;
        private final String desc;

        EntryHook(ClassWriter writer, String server, String name, String desc) {
            super(Opcodes.ASM9, writer);
            this.server = server;
            this.name = name;
            this.desc = desc;
        }

        /** The hook's code; every path that does nothing jumps to {@code skip}. Locals are the method's own. */
        abstract void hook(MethodVisitor mv, Label skip);

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
                    Label skip = new Label();
                    hook(mv, skip);
                    mv.visitLabel(skip);
                    mv.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
                    // keeps the original first instruction's own frame, if it has one, at another offset
                    mv.visitInsn(Opcodes.NOP);
                }

                @Override
                public void visitEnd() {
                    super.visitEnd();
                    ConnectionClose.hooked(server);
                }
            };
        }
    }
}
