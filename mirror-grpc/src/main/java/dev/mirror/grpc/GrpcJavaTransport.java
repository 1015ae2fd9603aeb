package dev.mirror.grpc;

import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NegotiationType;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * The former gRPC sender, kept for comparison ({@code mirror.grpc.sender=grpc-java}): one
 * grpc-java channel per target on its own event loop thread, each copy a client call with a
 * byte-buffer marshaller (no parsing, no re-serialization). It costs the primary several times
 * the CPU per copy of {@link GrpcTransport} (bench/RESULTS.md §6): grpc-java's call machinery
 * (call and stream objects, deadline timers, its write queue and deframer) runs for each copy.
 */
final class GrpcJavaTransport implements MirrorTransport {

  private static final MethodDescriptor.Marshaller<ByteBuffer> MESSAGE = new BufferMarshaller();
  private static final MethodDescriptor.Marshaller<Void> DRAIN = new DrainMarshaller();

  private final EventLoopGroup group;
  private final io.grpc.netty.shaded.io.netty.channel.EventLoop loop;
  private final ThreadPoolExecutor offload;
  private final Map<ChannelKey, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** What a channel is made from: a change to any of these makes a new one. */
  private record ChannelKey(String address, String host, int port, boolean tls,
      SSLContext sslContext, Duration connectTimeout) {}

  GrpcJavaTransport() {
    this.group = new MultiThreadIoEventLoopGroup(1, threads("mirror-grpc"),
        NioIoHandler.newFactory());
    this.loop = group.next();
    // Name resolution (no lookup for an IP address); idle threads end after a second.
    this.offload = new ThreadPoolExecutor(0, 2, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        threads("mirror-grpc-resolver"));
  }

  @Override
  public CompletableFuture<ShadowResponse> send(ShadowRequest request) {
    Answer answer = new Answer();
    try {
      if (closed) {
        throw new IOException("the gRPC transport is closed");
      }
      List<ByteBuffer> messages = messages(request.body());
      MethodDescriptor<ByteBuffer, Void> method = MethodDescriptor.newBuilder(MESSAGE, DRAIN)
          .setType(MethodDescriptor.MethodType.UNKNOWN)
          .setFullMethodName(fullMethodName(request))
          .build();
      Metadata metadata = GrpcHeaders.toMetadata(request.headers());
      CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(
          request.target().readTimeout().toNanos(), TimeUnit.NANOSECONDS);
      ManagedChannel channel = channel(request.target());
      // The copy's call belongs to no server call: it outlives the primary, and is never
      // cancelled with it.
      Context previous = Context.ROOT.attach();
      ClientCall<ByteBuffer, Void> call;
      try {
        call = channel.newCall(method, options);
      } finally {
        Context.ROOT.detach(previous);
      }
      answer.call = call;
      call.start(answer.listener, metadata);
      call.request(Integer.MAX_VALUE);
      for (ByteBuffer message : messages) {
        call.sendMessage(message);
      }
      call.halfClose();
    } catch (Exception | Error e) {
      if (answer.call != null) {
        answer.call.cancel("the copy could not be sent", e);
      }
      answer.completeExceptionally(e);
    }
    return answer;
  }

  /**
   * The event loop the copies' calls run on: a copy prepared there starts its call without
   * another hand-off between threads. Rejects tasks once closed.
   */
  @Override
  public java.util.concurrent.Executor executor() {
    return loop;
  }

  /** Every future completes within the read timeout (the call's deadline), or at close. */
  @Override
  public boolean enforcesTimeouts() {
    return true;
  }

  private static String fullMethodName(ShadowRequest request) {
    return GrpcTransport.checkPath(request);
  }

  /**
   * Splits a body into its gRPC-framed messages, without copying.
   *
   * @throws IllegalArgumentException if the body is not a sequence of uncompressed frames
   */
  static List<ByteBuffer> messages(ByteBuffer body) {
    List<ByteBuffer> messages = new ArrayList<>(1);
    GrpcTransport.checkMessages(body, messages);
    return messages;
  }

  private ManagedChannel channel(MirrorTarget target) throws NoSuchAlgorithmException {
    boolean tls = target.scheme().equals("grpcs");
    ChannelKey key = new ChannelKey(target.address(), target.host(), target.port(), tls,
        target.sslContext(), target.connectTimeout());
    ManagedChannel channel = channels.get(key);
    if (channel != null) {
      return channel;
    }
    SSLContext ssl = tls ? (target.sslContext() != null ? target.sslContext()
        : SSLContext.getDefault()) : null;
    synchronized (channels) {
      channel = channels.get(key);
      if (channel == null) {
        channel = newChannel(key, ssl);
        channels.put(key, channel);
      }
      return channel;
    }
  }

  private ManagedChannel newChannel(ChannelKey key, SSLContext ssl) {
    String host = key.host().startsWith("[") ? key.host().substring(1, key.host().length() - 1)
        : key.host();
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, key.port())
        .eventLoopGroup(group)
        .channelType(NioSocketChannel.class)
        .directExecutor()
        .offloadExecutor(offload)
        .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, key.connectTimeout().toMillis()))
        .disableRetry()
        // A fixed window: no BDP pings, which some shadows (NGINX) take for a flood and answer
        // with GOAWAY; copies are small next to it.
        .flowControlWindow(1 << 20)
        .userAgent("mirror");
    if (ssl == null) {
      builder.negotiationType(NegotiationType.PLAINTEXT);
    } else {
      builder.negotiationType(NegotiationType.TLS).sslContext(new JdkSslContext(ssl, true, null,
          IdentityCipherSuiteFilter.INSTANCE, new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"),
          ClientAuth.NONE, null, false));
    }
    return builder.build();
  }

  /**
   * Closes every channel (calls still open end as cancelled, and their copies as failed), then
   * stops this transport's threads, waiting a few seconds at most.
   */
  @Override
  public void close() {
    closed = true;
    List<ManagedChannel> all;
    synchronized (channels) {
      all = new ArrayList<>(channels.values());
    }
    for (ManagedChannel channel : all) {
      channel.shutdownNow();
    }
    try {
      for (ManagedChannel channel : all) {
        channel.awaitTermination(2, TimeUnit.SECONDS);
      }
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
      offload.shutdown();
      offload.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** The copy's outcome: completed once, when its call closes. */
  private static final class Answer extends CompletableFuture<ShadowResponse> {

    volatile ClientCall<ByteBuffer, Void> call;
    private Metadata headers;

    /** Listens to the call; a separate object, so the future's own methods stay its own. */
    private final ClientCall.Listener<Void> listener = new ClientCall.Listener<>() {
      @Override
      public void onHeaders(Metadata received) {
        headers = received;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        ended(status);
      }
    };

    void ended(Status status) {
      Throwable failure = GrpcTransport.failure(status);
      if (failure != null) {
        completeExceptionally(failure);
      } else {
        complete(new ShadowResponse(GrpcTransport.httpStatus(status.getCode()),
            GrpcHeaders.answer(headers, status.getCode().value())));
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      ClientCall<ByteBuffer, Void> c = call;
      if (c != null) {
        c.cancel("the copy was cancelled", null);
      }
      return super.cancel(mayInterruptIfRunning);
    }
  }

  /** Sends a message's bytes as they are: a stream over the buffer that gRPC copies once. */
  private static final class BufferMarshaller implements MethodDescriptor.Marshaller<ByteBuffer> {
    @Override
    public InputStream stream(ByteBuffer value) {
      return new BufferStream(value.duplicate());
    }

    @Override
    public ByteBuffer parse(InputStream stream) {
      throw new UnsupportedOperationException("copies are only sent");
    }
  }

  private static final class BufferStream extends InputStream implements KnownLength {
    private final ByteBuffer buffer;

    BufferStream(ByteBuffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public int read() {
      return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) {
      if (length == 0) {
        return 0;
      }
      if (!buffer.hasRemaining()) {
        return -1;
      }
      int n = Math.min(length, buffer.remaining());
      buffer.get(bytes, offset, n);
      return n;
    }

    @Override
    public int available() {
      return buffer.remaining();
    }
  }

  /** Answers are read and let go: nothing of them is kept. */
  private static final class DrainMarshaller implements MethodDescriptor.Marshaller<Void> {
    @Override
    public InputStream stream(Void value) {
      throw new UnsupportedOperationException("answers are only drained");
    }

    @Override
    public Void parse(InputStream stream) {
      try (stream) {
        stream.skip(Long.MAX_VALUE);
      } catch (IOException e) {
        // the message is dropped either way
      }
      return null;
    }
  }
}
