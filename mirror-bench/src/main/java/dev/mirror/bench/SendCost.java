package dev.mirror.bench;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.core.HttpTransport;
import dev.mirror.core.NioHttpTransport;
import dev.mirror.transport.jetty.JettyTransport;
import io.netty.bootstrap.Bootstrap;
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
import io.netty.handler.codec.http.LastHttpContent;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.reactor.IOReactorConfig;

/**
 * The send path's candidates side by side: each sends {@code GET /x?i=N} to one shadow with 16
 * requests in flight for a fixed time, the next request started from the completion of the last
 * (as a copy is), and reports requests per second and this JVM's CPU per request (process CPU
 * time, so the shadow's own CPU is not counted). Usage: {@code SendCost <shadow base URL>
 * [seconds] [candidate ...]}; candidates: nio, jdk, jdk-same-thread, jetty, apache, netty.
 */
public final class SendCost {

  private static final int IN_FLIGHT = 16;
  /** Exchanges that ended without an answer: a candidate that fails fast must not look cheap. */
  private static final LongAdder FAILED = new LongAdder();

  private SendCost() {}

  /** One client under test: sends, and calls back when the answer is complete. */
  interface Candidate extends AutoCloseable {
    void send(long i, Runnable done);

    @Override
    void close() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args[0]);
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String[] names = args.length > 2
        ? java.util.Arrays.copyOfRange(args, 2, args.length)
        : new String[] {"nio", "jdk", "jdk-same-thread", "jetty", "apache", "netty"};
    System.out.println("| candidate | req/s | CPU per request (µs) | failed |");
    System.out.println("|---|---:|---:|---:|");
    for (String name : names) {
      try (Candidate candidate = candidate(name, base)) {
        run(candidate, 2); // warm-up
        FAILED.reset();
        double[] r = run(candidate, seconds);
        System.out.printf("| %s | %,.0f | %.1f | %d |%n", name, r[0], r[1], FAILED.sum());
      }
    }
    System.exit(0);
  }

  /** Returns {requests per second, CPU microseconds per request}. */
  private static double[] run(Candidate candidate, int seconds) throws InterruptedException {
    LongAdder done = new LongAdder();
    java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(IN_FLIGHT);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    for (int k = 0; k < IN_FLIGHT; k++) {
      new Runnable() {
        @Override
        public void run() {
          done.increment();
          if (running.get()) {
            candidate.send(next.incrementAndGet(), this);
          } else {
            stopped.countDown();
          }
        }
      }.run();
    }
    TimeUnit.SECONDS.sleep(seconds);
    running.set(false);
    long count = done.sum() - IN_FLIGHT;
    long cpu1 = os.getProcessCpuTime();
    long t1 = System.nanoTime();
    stopped.await(10, TimeUnit.SECONDS);
    return new double[] {count / ((t1 - t0) / 1e9), (cpu1 - cpu0) / 1e3 / count};
  }

  private static Candidate candidate(String name, URI base) throws Exception {
    return switch (name) {
      case "nio" -> transport(NioHttpTransport.create(), base);
      case "jdk" -> transport(HttpTransport.create(), base);
      case "jetty" -> transport(JettyTransport.create(), base);
      case "jdk-same-thread" -> jdkSameThread(base);
      case "apache" -> apache(base);
      case "netty" -> netty(base);
      default -> throw new IllegalArgumentException("candidate: was " + name
          + ", must be nio, jdk, jdk-same-thread, jetty, apache or netty");
    };
  }

  private static Candidate transport(MirrorTransport transport, URI base) {
    String address = base.getScheme() + "://" + base.getAuthority();
    MirrorTarget target = MirrorTarget.builder("t", address).build();
    ByteBuffer empty = ByteBuffer.allocate(0).asReadOnlyBuffer();
    return new Candidate() {
      @Override
      public void send(long i, Runnable done) {
        ShadowRequest copy = new ShadowRequest("p", target, "id", "GET",
            URI.create(address + "/x?i=" + i), Headers.empty(), empty);
        transport.send(copy).whenComplete((r, e) -> {
          if (e != null) {
            FAILED.increment();
          }
          done.run();
        });
      }

      @Override
      public void close() {
        transport.close();
      }
    };
  }

  private static Candidate jdkSameThread(URI base) {
    HttpClient client = HttpClient.newBuilder().executor(Runnable::run)
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
    return new Candidate() {
      @Override
      public void send(long i, Runnable done) {
        client.sendAsync(HttpRequest.newBuilder(base.resolve("/x?i=" + i)).build(),
            HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
              if (e != null) {
                FAILED.increment();
              }
              done.run();
            });
      }

      @Override
      public void close() {}
    };
  }

  private static Candidate apache(URI base) {
    CloseableHttpAsyncClient client = HttpAsyncClients.custom()
        .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
        .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
            .setMaxConnTotal(IN_FLIGHT).setMaxConnPerRoute(IN_FLIGHT).build())
        .build();
    client.start();
    return new Candidate() {
      @Override
      public void send(long i, Runnable done) {
        client.execute(SimpleRequestBuilder.get(base.resolve("/x?i=" + i)).build(),
            new FutureCallback<SimpleHttpResponse>() {
              @Override
              public void completed(SimpleHttpResponse result) {
                done.run();
              }

              @Override
              public void failed(Exception ex) {
                FAILED.increment();
                done.run();
              }

              @Override
              public void cancelled() {
                FAILED.increment();
                done.run();
              }
            });
      }

      @Override
      public void close() throws Exception {
        client.close();
      }
    };
  }

  /**
   * Netty 4.2, one NIO event loop, kept-alive connections reused from an idle queue (a new one
   * when none is idle or the shadow said close), HttpClientCodec.
   */
  private static Candidate netty(URI base) {
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    java.util.concurrent.ConcurrentLinkedQueue<Channel> idle = new java.util.concurrent.ConcurrentLinkedQueue<>();
    io.netty.util.AttributeKey<Runnable> callback = io.netty.util.AttributeKey.valueOf("done");
    io.netty.util.AttributeKey<Boolean> keepAlive = io.netty.util.AttributeKey.valueOf("keepAlive");
    Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new SimpleChannelInboundHandler<HttpObject>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                if (msg instanceof io.netty.handler.codec.http.HttpResponse response) {
                  ctx.channel().attr(keepAlive).set(io.netty.handler.codec.http.HttpUtil.isKeepAlive(response));
                }
                if (msg instanceof LastHttpContent) {
                  Runnable done = ctx.channel().attr(callback).getAndSet(null);
                  if (Boolean.TRUE.equals(ctx.channel().attr(keepAlive).get())) {
                    idle.offer(ctx.channel());
                  } else {
                    ctx.close();
                  }
                  if (done != null) {
                    done.run();
                  }
                }
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                Runnable done = ctx.channel().attr(callback).getAndSet(null);
                if (done != null) {
                  FAILED.increment();
                  done.run();
                }
              }
            });
          }
        });
    String host = base.getAuthority();
    return new Candidate() {
      @Override
      public void send(long i, Runnable done) {
        Channel ch;
        do {
          ch = idle.poll();
        } while (ch != null && !ch.isActive());
        if (ch != null) {
          write(ch, i, done);
          return;
        }
        bootstrap.connect(base.getHost(), base.getPort()).addListener(
            (io.netty.channel.ChannelFutureListener) f -> {
              if (f.isSuccess()) {
                write(f.channel(), i, done);
              } else {
                FAILED.increment();
                done.run();
              }
            });
      }

      private void write(Channel ch, long i, Runnable done) {
        ch.attr(callback).set(done);
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(
            io.netty.handler.codec.http.HttpVersion.HTTP_1_1, HttpMethod.GET, "/x?i=" + i);
        request.headers().set(HttpHeaderNames.HOST, host);
        ch.writeAndFlush(request);
      }

      @Override
      public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
    };
  }
}
