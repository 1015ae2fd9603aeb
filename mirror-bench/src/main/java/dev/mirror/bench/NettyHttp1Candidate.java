package dev.mirror.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Netty 4.2 as an HTTP/1.1 client built for this comparison: one NIO event loop (as mirror's sender
 * has one), a fixed set of connections opened (and, for https, handshaken) before the first
 * request, {@link HttpClientCodec}, answers matched to requests in order.
 *
 * <p>Pipelining on: a request goes on each connection in turn ({@link ConnectionChoice}), is
 * written behind whatever is outstanding there without a flush, and each connection is flushed
 * once per pass of the event loop, after every request written to it in that pass (a task queued
 * behind the pass's reads) — as mirror's sender writes what one pass queued in one write. Off: a
 * request goes only on a connection with nothing outstanding and is written and flushed at once
 * (there is nothing to batch with). https: an {@link SslHandler} on an engine of the same {@code
 * SSLContext} the other candidates use (the JDK's), host name verified.
 */
final class NettyHttp1Candidate implements Candidate {

  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final RequestShape shape;
  private final boolean pipelining;
  private final HttpMethod method;
  private final String host;
  /** The body of every request (a POST's), never released: each write sends a duplicate. */
  private final ByteBuf body;
  private final ConnectionChoice<Connection> choice;

  NettyHttp1Candidate(RequestShape shape, int connections, boolean pipelining)
      throws InterruptedException {
    this.shape = shape;
    this.pipelining = pipelining;
    this.method = HttpMethod.valueOf(shape.method());
    this.host = shape.base().getAuthority();
    this.body = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(shape.body()));
    List<Connection> opened = new ArrayList<>();
    try {
      for (int k = 0; k < connections; k++) {
        opened.add(open());
      }
    } catch (InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
    this.choice = new ConnectionChoice<>(opened, pipelining);
  }

  private Connection open() throws InterruptedException {
    Connection connection = new Connection();
    String hostName = shape.base().getHost();
    int port = shape.base().getPort();
    Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (shape.tls() != null) {
              SSLEngine engine = shape.tls().createSSLEngine(hostName, port);
              engine.setUseClientMode(true);
              SSLParameters parameters = engine.getSSLParameters();
              parameters.setEndpointIdentificationAlgorithm("HTTPS");
              engine.setSSLParameters(parameters);
              ch.pipeline().addLast(new SslHandler(engine));
            }
            ch.pipeline().addLast(new HttpClientCodec(), connection);
          }
        })
        .connect(hostName, port).sync().channel();
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    if (tls != null) {
      tls.handshakeFuture().sync();
    }
    connection.channel = channel;
    return connection;
  }

  @Override
  public void send(long i, Completion completion) {
    Connection connection = choice.take();
    if (connection.channel.eventLoop().inEventLoop()) {
      connection.write(i, completion);
    } else {
      connection.channel.eventLoop().execute(() -> connection.write(i, completion));
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** One connection and the completions of its outstanding requests, oldest first. */
  private final class Connection extends SimpleChannelInboundHandler<HttpObject> {
    private Channel channel;
    /** Event loop only. */
    private final ArrayDeque<Completion> outstanding = new ArrayDeque<>();
    private boolean flushQueued;
    private final Runnable flush = () -> {
      flushQueued = false;
      channel.flush();
    };

    void write(long i, Completion completion) {
      if (!channel.isActive()) {
        choice.release(this);
        completion.done(false);
        return;
      }
      outstanding.add(completion);
      DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
          method, shape.path(i),
          shape.hasBody() ? body.duplicate() : Unpooled.EMPTY_BUFFER);
      request.headers().set(HttpHeaderNames.HOST, host);
      if (shape.hasBody()) {
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, shape.body().length);
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, RequestShape.CONTENT_TYPE);
      }
      if (!pipelining) {
        channel.writeAndFlush(request, channel.voidPromise());
        return;
      }
      channel.write(request, channel.voidPromise());
      if (!flushQueued) {
        flushQueued = true;
        channel.eventLoop().execute(flush);
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof LastHttpContent) {
        Completion done = outstanding.poll();
        if (done != null) {
          choice.release(this);
          done.done(true);
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Completion lost;
      while ((lost = outstanding.poll()) != null) {
        choice.release(this);
        lost.done(false);
      }
    }
  }
}
