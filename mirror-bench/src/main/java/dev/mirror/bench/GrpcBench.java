package dev.mirror.bench;

import dev.mirror.core.MirrorEngine;
import dev.mirror.grpc.MirrorServerInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The processes bench/grpc-load.sh runs, each in its own JVM on 127.0.0.1:
 *
 * <ul>
 *   <li>{@code rawshadow <fastPort> <slowPort> <blackHolePort> <resetPort>}: the same four with
 *       {@link RawGrpcShadow} answering, which reads frames without decoding them;
 *   <li>{@code shadow <fastPort> <slowPort> [blackHolePort [resetPort]]}: gRPC shadows taking
 *       any call, answering at once and after 0.5 s, as cheaply as a grpc-java server can; a TCP
 *       black hole and a server resetting every connection;
 *   <li>{@code primary <port> [mirror.key=value ...]}: SimpleService's unary echo behind {@link
 *       MirrorServerInterceptor} when keys are given; {@code http://127.0.0.1:<port + 1>/} answers
 *       the default target's counts ({@code submitted sent failed dropped inFlight});
 *   <li>{@code drive <port> <warm-up s> <seconds> <calls in flight>}: unary calls of a 1 KiB
 *       message, as many in flight as asked, on one channel; prints {@code calls/s p50-ms p99-ms
 *       errors calls} for the measured window.
 * </ul>
 */
public final class GrpcBench {

  private GrpcBench() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "shadow" -> shadow(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
          args.length > 3 ? Integer.parseInt(args[3]) : 0,
          args.length > 4 ? Integer.parseInt(args[4]) : 0);
      case "rawshadow" -> rawShadows(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
          Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      case "primary" -> primary(Integer.parseInt(args[1]), Arrays.copyOfRange(args, 2, args.length));
      case "drive" -> drive(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
          Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      default -> throw new IllegalArgumentException("mode: was " + args[0]
          + ", must be shadow, primary or drive");
    }
  }

  /** Echo, as cheap as it gets: the same answer for every call. */
  private static final class Echo extends SimpleServiceGrpc.SimpleServiceImplBase {
    private static final SimpleResponse OK = SimpleResponse.newBuilder()
        .setResponseMessage("hello").build();

    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> answer) {
      answer.onNext(OK);
      answer.onCompleted();
    }
  }

  private static Server serve(int port, io.grpc.ServerServiceDefinition service) throws Exception {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .addService(service).build().start();
  }

  /**
   * The shadows: any method, messages taken as bytes and never parsed, one empty message and OK
   * in answer (at once, or after 0.5 s): as little work per call as a grpc-java server does.
   */
  private static void shadow(int fastPort, int slowPort, int blackHolePort, int resetPort)
      throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    Server fast = rawShadow(fastPort, timer, 0);
    Server slow = rawShadow(slowPort, timer, 500);
    if (blackHolePort > 0) {
      blackHole(blackHolePort);
    }
    if (resetPort > 0) {
      BenchShadows.startResetting(resetPort); // reads the first bytes, then resets (RST)
    }
    System.out.println("grpc shadows ready");
    fast.awaitTermination();
    slow.awaitTermination();
  }

  /**
   * The cheapest shadows: {@link RawGrpcShadow} answering at once and after 0.5 s, a TCP black
   * hole and a server resetting every connection.
   */
  private static void rawShadows(int fastPort, int slowPort, int blackHolePort, int resetPort)
      throws Exception {
    RawGrpcShadow.start(fastPort, 0);
    RawGrpcShadow.start(slowPort, 500);
    blackHole(blackHolePort);
    BenchShadows.startResetting(resetPort);
    System.out.println("raw grpc shadows ready");
    Thread.currentThread().join();
  }

  /** A TCP black hole: accepts connections, keeps them open, never reads or answers. */
  private static void blackHole(int port) throws Exception {
    java.net.ServerSocket server = new java.net.ServerSocket(port, 1024,
        java.net.InetAddress.getByName("127.0.0.1"));
    java.util.List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread acceptor = new Thread(() -> {
      while (true) {
        try {
          held.add(server.accept()); // kept open, never read
        } catch (java.io.IOException e) {
          return;
        }
      }
    }, "black-hole-shadow");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private static final io.grpc.MethodDescriptor.Marshaller<byte[]> BYTES =
      new io.grpc.MethodDescriptor.Marshaller<>() {
        @Override
        public java.io.InputStream stream(byte[] value) {
          return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
          try (stream) {
            stream.skip(Long.MAX_VALUE);
          } catch (java.io.IOException e) {
            // dropped either way
          }
          return new byte[0];
        }
      };

  private static Server rawShadow(int port, ScheduledExecutorService timer, long delayMillis)
      throws Exception {
    io.grpc.ServerCallHandler<byte[], byte[]> handler = (call, headers) -> {
      call.request(Integer.MAX_VALUE);
      return new io.grpc.ServerCall.Listener<>() {
        @Override
        public void onHalfClose() {
          Runnable answer = () -> {
            call.sendHeaders(new io.grpc.Metadata());
            call.sendMessage(new byte[0]);
            call.close(io.grpc.Status.OK, new io.grpc.Metadata());
          };
          if (delayMillis == 0) {
            answer.run();
          } else {
            timer.schedule(answer, delayMillis, TimeUnit.MILLISECONDS);
          }
        }
      };
    };
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .directExecutor()
        .fallbackHandlerRegistry(new io.grpc.HandlerRegistry() {
          @Override
          public io.grpc.ServerMethodDefinition<?, ?> lookupMethod(String method,
              String authority) {
            return io.grpc.ServerMethodDefinition.create(
                io.grpc.MethodDescriptor.newBuilder(BYTES, BYTES)
                    .setType(io.grpc.MethodDescriptor.MethodType.UNKNOWN)
                    .setFullMethodName(method).build(), handler);
          }
        })
        .build().start();
  }

  private static void primary(int port, String[] mirrorArgs) throws Exception {
    Map<String, String> keys = new LinkedHashMap<>();
    for (String arg : mirrorArgs) {
      int eq = arg.indexOf('=');
      keys.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    Echo echo = new Echo();
    MirrorServerInterceptor mirror = keys.isEmpty() ? null : MirrorServerInterceptor.create(keys);
    Server server = serve(port, mirror == null ? echo.bindService()
        : ServerInterceptors.intercept(echo, mirror));
    if (mirror != null) {
      StatsPort.serve((MirrorEngine) mirror.dispatcher(), port + 1);
    }
    System.out.println("grpc primary ready on " + port + (mirror == null ? " (no mirroring)"
        : " mirroring to " + keys.get("mirror.host")));
    server.awaitTermination();
  }

  private static void drive(int port, int warmUpSeconds, int seconds, int inFlight)
      throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .build();
    SimpleServiceGrpc.SimpleServiceStub stub = SimpleServiceGrpc.newStub(channel);
    SimpleRequest request = SimpleRequest.newBuilder().setRequestMessage("x".repeat(1024)).build();
    Semaphore room = new Semaphore(inFlight);
    AtomicLong errors = new AtomicLong();
    long[] latencies = new long[4_000_000];
    AtomicLong recorded = new AtomicLong();
    long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmUpSeconds);
    long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      room.acquire();
      long start = System.nanoTime();
      if (start - end >= 0) {
        room.release();
        break;
      }
      boolean measured = start - warmEnd >= 0;
      stub.unaryRpc(request, new StreamObserver<>() {
        @Override
        public void onNext(SimpleResponse value) {}

        @Override
        public void onError(Throwable t) {
          if (measured) {
            errors.incrementAndGet();
          }
          room.release();
        }

        @Override
        public void onCompleted() {
          long took = System.nanoTime() - start;
          if (measured) {
            long i = recorded.getAndIncrement();
            if (i < latencies.length) {
              latencies[(int) i] = took;
            }
          }
          room.release();
        }
      });
    }
    room.acquire(inFlight); // every call ended
    int n = (int) Math.min(recorded.get(), latencies.length);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    double p50 = n == 0 ? 0 : sorted[n / 2] / 1e6;
    double p99 = n == 0 ? 0 : sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e6;
    System.out.printf("%.0f %.3f %.3f %d %d%n", n / (double) seconds, p50, p99, errors.get(), n);
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
