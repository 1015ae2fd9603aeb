package dev.mirror.bench;

import dev.mirror.core.MirrorEngine;
import dev.mirror.grpc.MirrorServerInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The request-thread cost of {@link MirrorServerInterceptor} per unary call of a 1 KiB message:
 * the call's interception, its message, its half-close and its end, on a call object that does
 * nothing else, next to the same call without the interceptor ({@code baseline}). Shapes:
 * {@code sampledOut} (the sampler says no), {@code turnedAway} (the target is at its cap) and
 * {@code accepted} (the copy is made and handed over, in batches of {@value #BATCH} below the
 * cap, each batch starting once the previous one's copies have left). The regression guard of
 * issue 35: a change that makes the interceptor dearer shows here before a load run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GrpcInterceptorCost {

  /** Calls per timed batch. */
  public static final int BATCH = 512;

  @Param({"sampledOut", "turnedAway", "accepted"})
  public String shape;

  private MirrorEngine engine;
  private dev.mirror.api.Decision held;
  private MirrorServerInterceptor interceptor;
  private final SimpleRequest message = SimpleRequest.newBuilder()
      .setRequestMessage("x".repeat(1024)).build();
  private final Metadata headers = new Metadata();
  private final ServerCall<SimpleRequest, SimpleResponse> call = new QuietCall();
  private static final ServerCall.Listener<SimpleRequest> APPLICATION = new ServerCall.Listener<>() {};
  private final ServerCallHandler<SimpleRequest, SimpleResponse> handler = (c, h) -> APPLICATION;

  @Setup
  public void setUp() {
    engine = Fixture.engine(shape);
    held = Fixture.fill(engine, shape);
    interceptor = new MirrorServerInterceptor(engine);
    headers.put(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER), "4bf92f35");
    headers.put(Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER), "acme");
    headers.put(Metadata.Key.of("grpc-accept-encoding", Metadata.ASCII_STRING_MARSHALLER),
        "gzip");
  }

  /**
   * Untimed: wait until the previous batch's copies have all left. Only accepted calls leave
   * copies; the other shapes skip it, since {@code -prof gc} counts every thread's bytes, timed
   * or not, and each look at the stats allocates a snapshot (latency histograms included). It
   * polls every 50 µs rather than spinning, for the same reason.
   */
  @Setup(Level.Invocation)
  public void drain() {
    if (!shape.equals("accepted")) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (engine.stats().target("t").inFlight() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(50_000);
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void baseline() {
    for (int i = 0; i < BATCH; i++) {
      ServerCall.Listener<SimpleRequest> listener = handler.startCall(call, headers);
      listener.onMessage(message);
      listener.onHalfClose();
      listener.onComplete();
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void intercepted() {
    for (int i = 0; i < BATCH; i++) {
      ServerCall.Listener<SimpleRequest> listener = interceptor.interceptCall(call, headers,
          handler);
      listener.onMessage(message);
      listener.onHalfClose();
      listener.onComplete();
    }
  }

  @TearDown
  public void tearDown() {
    var stats = engine.stats().target("t");
    System.out.printf("%n  [%s] copies sent %,d, dropped %,d, sampled out %,d%n", shape,
        stats.sent(), stats.droppedTotal(), engine.stats().policies().get(0).sampledOut());
    Fixture.release(engine, held);
    engine.close();
  }

  /** A unary call of SimpleService that answers nothing: only the interceptor's work is left. */
  private static final class QuietCall extends ServerCall<SimpleRequest, SimpleResponse> {
    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(SimpleResponse message) {}

    @Override
    public void close(Status status, Metadata trailers) {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public MethodDescriptor<SimpleRequest, SimpleResponse> getMethodDescriptor() {
      return SimpleServiceGrpc.getUnaryRpcMethod();
    }
  }
}
