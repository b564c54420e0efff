package io.hupwatch.testservers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty 4.1 HTTP/2 server on Netty's {@code Http2FrameCodec}, stopped by
 * {@code shutdownGracefully()} in a shutdown hook: cleartext with prior knowledge (h2c), or, given a
 * PKCS12 key store, h2 over TLS negotiated by ALPN ({@link NettyH2Tls}). Answers
 * {@code generation G pid P}; {@code /slow?ms=N} answers after N ms.
 * Usage: {@code PORT nio|epoll [tls KEYSTORE.p12 PASSWORD]}.
 */
public final class NettyH2cServer {
    private NettyH2cServer() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        boolean epoll = args.length > 1 && args[1].equals("epoll");
        String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
        long pid = ProcessHandle.current().pid();
        byte[] body = ("generation " + generation + " pid " + pid + "\n").getBytes(StandardCharsets.UTF_8);
        SslContext tls = args.length > 3 && args[2].equals("tls") ? NettyH2Tls.serverContext(args[3], args[4]) : null;

        EventLoopGroup boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        EventLoopGroup workers = epoll ? new EpollEventLoopGroup() : new NioEventLoopGroup();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boss.shutdownGracefully().syncUninterruptibly();
            workers.shutdownGracefully().syncUninterruptibly();
        }, "netty-stop"));

        Channel channel = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls == null) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(), new Responder(body));
                        } else {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()), NettyH2Tls.alpn(
                                    () -> List.of(Http2FrameCodecBuilder.forServer().build(), new Responder(body))));
                        }
                    }
                })
                .bind(port).sync().channel();
        System.err.println((tls != null ? "netty-h2-tls-" : "netty-h2c-") + (epoll ? "epoll" : "nio") + " generation " + generation + " pid " + pid
                + " listening on " + channel.localAddress());
        channel.closeFuture().sync();
    }

    /** Answers each request once its last frame is in (headers only, or headers then data). */
    private static final class Responder extends ChannelInboundHandlerAdapter {
        private final byte[] body;

        Responder(byte[] body) {
            this.body = body;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame headers) {
                    if (headers.isEndStream()) {
                        answer(ctx, headers.stream(), delay(headers.headers().path()));
                    }
                } else if (msg instanceof Http2DataFrame data && data.isEndStream()) {
                    answer(ctx, data.stream(), 0);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private static long delay(CharSequence path) {
            List<String> ms = new QueryStringDecoder(path == null ? "/" : path.toString()).parameters().get("ms");
            return ms == null ? 0 : Long.parseLong(ms.get(0));
        }

        private void answer(ChannelHandlerContext ctx, Http2FrameStream stream, long delayMs) {
            Runnable send = () -> {
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                        .set("content-type", "text/plain")).stream(stream));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true).stream(stream));
            };
            if (delayMs > 0) {
                ctx.executor().schedule(send, delayMs, TimeUnit.MILLISECONDS);
            } else {
                send.run();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
