package io.hupwatch.it.servers;

import io.hupwatch.Hupwatch;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.unix.ServerDomainSocketChannel;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The README's Netty recipe, as a test server: {@code NettyServer NAME} receives socket NAME
 * through the child API as a raw non-blocking fd, wraps it in an epoll server channel (TCP or unix)
 * and registers it (no bind: it is already listening). Drains in two phases.
 */
public final class NettyServer {
    private NettyServer() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        Hupwatch hupwatch = Hupwatch.connect();
        byte[] body = ("generation " + hupwatch.generation() + " pid " + ProcessHandle.current().pid() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Epoll.ensureAvailability(); // loads Netty's native library, which the fd constructors need
        int fd = hupwatch.nonBlockingFd(name);
        Channel listener = hupwatch.address(name).startsWith("unix:")
                ? new EpollServerDomainSocketChannel(fd, true)
                : new EpollServerSocketChannel(fd);

        EventLoopGroup boss = new EpollEventLoopGroup(1);
        EventLoopGroup workers = new EpollEventLoopGroup(2);
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers)
                .channelFactory(() -> listener instanceof ServerSocketChannel s ? s : (ServerDomainSocketChannel) listener)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new SimpleChannelInboundHandler<HttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, HttpRequest req) {
                                        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                                        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
                                        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
                                        // the README's recipe: kept-alive until hupwatch drains this generation
                                        boolean keepAlive = HttpUtil.isKeepAlive(req) && !Hupwatch.draining();
                                        HttpUtil.setKeepAlive(res, keepAlive);
                                        var written = ctx.writeAndFlush(res);
                                        if (!keepAlive) {
                                            written.addListener(ChannelFutureListener.CLOSE);
                                        }
                                    }
                                });
                    }
                });
        bootstrap.register().sync();
        Hupwatch.drainOnShutdown(
                () -> listener.config().setAutoRead(false),
                Duration.ofMillis(500),
                () -> {
                    workers.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
                    boss.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
                });
        System.err.println("netty generation " + hupwatch.generation() + " serving " + hupwatch.address(name));
        listener.closeFuture().sync();
    }
}
