package dev.mirror.bench;

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
 * The request-thread cost of a JAX-RS copy that is made: batches of {@value #BATCH} requests
 * through {@code MirrorFeature}'s filters, fewer than the cap, each batch starting once the
 * previous one's copies have left (an untimed wait), as {@link AcceptedPathCost} does for the
 * servlet filter. The tear-down prints the counts to show that no copy was dropped.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JaxrsAcceptedPathCost extends JaxrsBench {

  /** Requests per timed batch. */
  public static final int BATCH = 512;

  /** empty: a GET mirrored; 1KiB: a POST mirrored. */
  @Param({"empty", "1KiB"})
  public String shape;

  @Setup
  public void setUp() throws Exception {
    start(shape, "annotated");
  }

  /**
   * Untimed: wait until the previous batch's copies have all left. It polls every 50 µs rather
   * than spinning: the allocation profiler counts every thread's bytes, the timed ones or not,
   * and each look at the counts allocates a snapshot.
   */
  @Setup(Level.Invocation)
  public void drain() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (engine.stats().target("t").inFlight() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(50_000);
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void featureAccepted() throws Exception {
    for (int i = 0; i < BATCH; i++) {
      reset();
      exchange();
    }
  }

  @TearDown
  public void tearDown() {
    stop(shape);
  }
}
