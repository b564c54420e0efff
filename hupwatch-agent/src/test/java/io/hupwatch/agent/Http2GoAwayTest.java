package io.hupwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** The HTTP/2 GOAWAY at the drain, on Netty's real classes. */
class Http2GoAwayTest {
    private static final String HANDLER = "io/netty/handler/codec/http2/Http2ConnectionHandler";

    /** The drain's state is the JVM's: each test starts as a JVM that has not drained (or has resumed). */
    @AfterEach
    void resume() {
        Http2GoAway.resumed();
    }

    @Test
    void handlerAddedNotesTheContextFirstAndTheClassStillVerifies() throws Exception {
        byte[] original;
        try (InputStream in = Http2ConnectionHandler.class.getResourceAsStream("Http2ConnectionHandler.class")) {
            original = in.readAllBytes();
        }
        assertTrue(Http2Advice.isTarget(HANDLER));
        assertTrue(Http2Advice.isTarget("io/grpc/netty/shaded/" + HANDLER));
        byte[] changed = Http2Advice.transform(HANDLER, original);
        assertEquals("io/hupwatch/agent/Http2GoAway.connection", firstCall(changed, "handlerAdded"));
        ClassLoader loader = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(HANDLER.replace('/', '.'))) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        return c != null ? c : defineClass(name, changed, 0, changed.length);
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
        Class<?> c = Class.forName(HANDLER.replace('/', '.'), true, loader);
        assertEquals(loader, c.getClassLoader(), "the changed class was defined, verified and initialized");
    }

    @Test
    void twoGoAwaysThenTheIdleConnectionCloses() throws Exception {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer().build();
        EmbeddedChannel channel = new EmbeddedChannel(codec);
        ChannelHandlerContext ctx = channel.pipeline().context(codec);
        Http2GoAway.connection(ctx);
        drainOutbound(channel); // the server's preface (SETTINGS)

        assertEquals(1, Http2GoAway.sendOnEveryConnection());
        channel.runPendingTasks();
        assertEquals(List.of(Integer.MAX_VALUE), goAways(channel), "first GOAWAY: last-stream-id 2^31-1");
        assertTrue(channel.isOpen());

        Thread.sleep(Http2GoAway.SECOND_GOAWAY_DELAY_MS + 50);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        assertEquals(List.of(0), goAways(channel), "second GOAWAY: the last stream the client opened (none)");
        assertFalse(channel.isOpen(), "no stream was active: the connection is closed");
        assertEquals(0, Http2GoAway.sendOnEveryConnection(), "a closed connection gets nothing");
    }

    /** h2 over TLS adds its HTTP/2 handler after the handshake, which may end after the drain's GOAWAYs went out. */
    @Test
    void aConnectionSetUpDuringTheDrainGetsItsGoAwayToo() throws Exception {
        Http2GoAway.sendOnEveryConnection(); // the drain has begun
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer().build();
        EmbeddedChannel channel = new EmbeddedChannel(codec);
        Http2GoAway.connection(channel.pipeline().context(codec));
        drainOutbound(channel); // the server's preface (SETTINGS), written before the queued GOAWAY runs
        channel.runPendingTasks();
        assertEquals(List.of(Integer.MAX_VALUE), goAways(channel), "first GOAWAY, without another drain");
        Thread.sleep(Http2GoAway.SECOND_GOAWAY_DELAY_MS + 50);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        assertEquals(List.of(0), goAways(channel));
        assertFalse(channel.isOpen(), "no stream was active: the connection is closed");
    }

    /** A pause that is rolled back: the generation serves again, and keeps the HTTP/2 connections made since. */
    @Test
    void afterAResumeANewConnectionIsKept() throws Exception {
        Http2GoAway.sendOnEveryConnection(); // the pause
        Http2GoAway.resumed();
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer().build();
        EmbeddedChannel channel = new EmbeddedChannel(codec);
        Http2GoAway.connection(channel.pipeline().context(codec));
        drainOutbound(channel);
        channel.runPendingTasks();
        assertEquals(List.of(), goAways(channel), "no GOAWAY after the resume");
        assertTrue(channel.isOpen());
        assertEquals(1, Http2GoAway.sendOnEveryConnection(), "a later drain finds it");
        channel.close();
    }

    /** The last-stream-id of each GOAWAY frame written since the last look. */
    private static List<Integer> goAways(EmbeddedChannel channel) {
        List<Integer> ids = new ArrayList<>();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            while (out.readableBytes() >= 9) {
                int length = out.readUnsignedMedium();
                int type = out.readUnsignedByte();
                out.skipBytes(5); // flags, stream id
                if (type == 0x7) {
                    ids.add(out.getInt(out.readerIndex()) & Integer.MAX_VALUE);
                }
                out.skipBytes(length);
            }
            out.release();
        }
        return ids;
    }

    private static void drainOutbound(EmbeddedChannel channel) {
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            out.release();
        }
    }

    private static String firstCall(byte[] bytes, String method) {
        List<String> calls = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String d, String signature, String[] exceptions) {
                return !name.equals(method) ? null : new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String n, String dd, boolean itf) {
                        calls.add(owner + "." + n);
                    }
                };
            }
        }, 0);
        return calls.get(0);
    }
}
