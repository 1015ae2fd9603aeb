package dev.mirror.core.conformance;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Netty's {@link HttpServerCodec} with an aggregator and a handler that hands each request to a
 * worker pool (so that {@code /slow} may sleep without stalling the IO loop), one connection's
 * requests chained so that its answers go out in order.
 * Like any server that answers {@code Connection: close}, the handler processes nothing more on
 * that connection (RFC 9112, section 9.6): requests pipelined behind are neither recorded nor
 * answered.
 */
final class NettyShadow implements ShadowServer {

  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup io = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "conformance-netty-worker");
    t.setDaemon(true);
    return t;
  });
  private final Channel channel;

  NettyShadow(VerifyingLedger ledger) throws InterruptedException {
    Rules rules = new Rules(ledger);
    channel = new ServerBootstrap().group(boss, io).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20));
            ch.pipeline().addLast(new Answering(rules, workers));
          }
        }).bind("127.0.0.1", 0).sync().channel();
  }

  /** One per connection. */
  private static final class Answering extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Rules rules;
    private final Executor workers;
    /** The connection's last request's work: the next one runs after it. */
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    /** Set once an answer said close; then nothing more on the connection is processed. */
    private boolean closing;

    Answering(Rules rules, Executor workers) {
      this.rules = rules;
      this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String id = request.headers().get(VerifyingLedger.COPY_HEADER);
      String path = new QueryStringDecoder(request.uri()).path();
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      tail = tail.thenRunAsync(() -> answer(ctx, id, path, keepAlive), workers);
    }

    private void answer(ChannelHandlerContext ctx, String id, String path, boolean keepAlive) {
      if (closing) {
        return;
      }
      Reply reply = rules.serve(id, path);
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.OK, Unpooled.wrappedBuffer(reply.body()));
      response.headers().set(VerifyingLedger.COPY_HEADER, String.valueOf(id));
      HttpUtil.setContentLength(response, reply.body().length);
      closing = reply.close() || !keepAlive;
      if (closing) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.writeAndFlush(response);
      }
    }
  }

  @Override
  public String address() {
    return "http://127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    workers.shutdownNow();
    for (EventLoopGroup group : new EventLoopGroup[] {boss, io}) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
