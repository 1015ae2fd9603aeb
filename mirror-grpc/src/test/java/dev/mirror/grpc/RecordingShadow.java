package dev.mirror.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gRPC shadow on 127.0.0.1 that takes any method, keeps each call's messages as raw bytes and
 * answers one empty message and OK: after a delay if asked, or never reading at all.
 */
final class RecordingShadow implements AutoCloseable {

  /** One call as the shadow saw it. */
  record Call(String method, Metadata headers, List<byte[]> messages, long deadlineMillis) {}

  enum Behaviour { ANSWER, SLOW, NEVER_READ }

  /** Bytes as they are, both ways. */
  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try (stream) {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
  final AtomicInteger started = new AtomicInteger();
  private final Behaviour behaviour;
  private final long delayMillis;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "shadow-timer");
    t.setDaemon(true);
    return t;
  });
  private final Server server;

  RecordingShadow(Behaviour behaviour, long delayMillis, SslContext tls) throws IOException {
    this.behaviour = behaviour;
    this.delayMillis = delayMillis;
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .fallbackHandlerRegistry(new HandlerRegistry() {
          @Override
          public ServerMethodDefinition<?, ?> lookupMethod(String method, String authority) {
            return ServerMethodDefinition.create(MethodDescriptor.newBuilder(BYTES, BYTES)
                .setType(MethodDescriptor.MethodType.UNKNOWN).setFullMethodName(method).build(),
                new Handler());
          }
        });
    if (behaviour == Behaviour.NEVER_READ) {
      builder.flowControlWindow(65_535); // HTTP/2's initial window: full after 64 KiB
    }
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.server = builder.build().start();
  }

  static RecordingShadow answering() throws IOException {
    return new RecordingShadow(Behaviour.ANSWER, 0, null);
  }

  String address(String scheme) {
    return scheme + "://127.0.0.1:" + server.getPort();
  }

  /** Takes the next call seen, waiting at most ten seconds. */
  Call take() throws InterruptedException {
    Call call = calls.poll(10, TimeUnit.SECONDS);
    if (call == null) {
      throw new AssertionError("no call reached the shadow within 10 s");
    }
    return call;
  }

  private final class Handler implements ServerCallHandler<byte[], byte[]> {
    @Override
    public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
      started.incrementAndGet();
      Deadline deadline = Context.current().getDeadline();
      long deadlineMillis = deadline == null ? -1 : deadline.timeRemaining(TimeUnit.MILLISECONDS);
      List<byte[]> messages = new ArrayList<>();
      if (behaviour != Behaviour.NEVER_READ) {
        call.request(Integer.MAX_VALUE);
      }
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(byte[] message) {
          messages.add(message);
        }

        @Override
        public void onHalfClose() {
          calls.add(new Call(call.getMethodDescriptor().getFullMethodName(), headers, messages,
              deadlineMillis));
          Runnable answer = () -> {
            try {
              call.sendHeaders(new Metadata());
              call.sendMessage(new byte[0]);
              call.close(Status.OK, new Metadata());
            } catch (IllegalStateException cancelled) {
              // the client gave up first
            }
          };
          if (behaviour == Behaviour.SLOW) {
            timer.schedule(answer, delayMillis, TimeUnit.MILLISECONDS);
          } else {
            answer.run();
          }
        }
      };
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    timer.shutdownNow();
  }
}
