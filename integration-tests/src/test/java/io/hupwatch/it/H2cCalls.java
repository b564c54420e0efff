package io.hupwatch.it;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import javax.net.ssl.SSLException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client pool as proxies keep one (h2c with prior knowledge, or h2 over TLS chosen by ALPN
 * with {@link #overTls}; Netty's HTTP/2 client): a few
 * long-lived connections, each shared by many requests at once. After a GOAWAY it opens no new stream
 * on that connection (the streams it has complete there) and opens a new connection for the next
 * request, as RFC 9113 section 6.8 asks of clients.
 */
final class H2cCalls extends ConcurrentCalls {
    private final NioEventLoopGroup group = new NioEventLoopGroup(2);
    private final Bootstrap bootstrap;
    private final Connection[] slots;
    private final SslContext tls;
    private final int port;

    H2cCalls(int port, int connections, int threads) {
        this(port, connections, threads, null);
    }

    /** h2 over TLS (ALPN), trusting whatever certificate the server shows (a test's self-signed one). */
    static H2cCalls overTls(int port, int connections, int threads) throws SSLException {
        return new H2cCalls(port, connections, threads, SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                .build());
    }

    private H2cCalls(int port, int connections, int threads, SslContext tls) {
        super(threads);
        this.slots = new Connection[connections];
        this.tls = tls;
        this.port = port;
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .remoteAddress("127.0.0.1", port);
    }

    @Override
    String call(int caller, long delayMs) throws Exception {
        Connection c = connection(caller % slots.length);
        CompletableFuture<String> answer = new CompletableFuture<>();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(c.channel).handler(new Answer(answer)).open()
                .get(10, TimeUnit.SECONDS);
        String path = delayMs == 0 ? "/" : "/slow?ms=" + delayMs;
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").scheme(tls == null ? "http" : "https")
                .authority("127.0.0.1").path(path), true));
        return answer.get(10 + delayMs / 1000, TimeUnit.SECONDS);
    }

    /** The slot's connection, replaced by a new one once the server said GOAWAY or closed it. */
    private synchronized Connection connection(int slot) throws InterruptedException {
        Connection c = slots[slot];
        if (c == null || c.goneAway || !c.channel.isActive()) {
            Connection fresh = new Connection();
            fresh.channel = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    if (tls != null) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", port));
                    }
                    ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new GoAwayWatch(fresh));
                }
            }).connect().sync().channel();
            slots[slot] = fresh;
            c = fresh;
        }
        return c;
    }

    @Override
    public void close() throws InterruptedException {
        super.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private static final class Connection {
        volatile Channel channel;
        volatile boolean goneAway;
    }

    private static final class GoAwayWatch extends ChannelInboundHandlerAdapter {
        private final Connection connection;

        GoAwayWatch(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2GoAwayFrame) {
                connection.goneAway = true;
            }
            ReferenceCountUtil.release(msg);
        }
    }

    /** One response: status 200 and the body, or the failure. */
    private static final class Answer extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<String> answer;
        private final StringBuilder body = new StringBuilder();

        Answer(CompletableFuture<String> answer) {
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h && !"200".contentEquals(h.headers().status())) {
                    answer.completeExceptionally(new IllegalStateException("status " + h.headers().status()));
                } else if (msg instanceof Http2DataFrame d) {
                    body.append(d.content().toString(StandardCharsets.UTF_8));
                    if (d.isEndStream()) {
                        answer.complete(body.toString());
                        ctx.close();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            answer.completeExceptionally(new IllegalStateException("stream ended: " + evt));
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            answer.completeExceptionally(cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            answer.completeExceptionally(new IllegalStateException("stream closed before its answer"));
        }
    }
}
