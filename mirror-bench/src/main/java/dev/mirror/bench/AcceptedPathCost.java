package dev.mirror.bench;

import java.util.concurrent.TimeUnit;
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
 * The request-thread cost of a copy that is accepted: batches of {@value #BATCH} mirrored
 * requests, fewer than the cap, each batch starting once the previous one's copies have left (an
 * untimed wait), so no copy in a timed batch is dropped. The tear-down prints the counts to show
 * it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AcceptedPathCost extends FilterBench {

  /** Requests per timed batch. */
  public static final int BATCH = 512;

  /** empty: a GET mirrored; 1KiB, 64KiB: POSTs mirrored. */
  @Param({"empty", "1KiB", "64KiB"})
  public String shape;

  @Setup
  public void setUp() {
    start(shape);
  }

  /** Untimed: wait until the previous batch's copies have all left. */
  @Setup(Level.Invocation)
  public void drain() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (engine.stats().target("t").inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void filterAccepted() throws Exception {
    for (int i = 0; i < BATCH; i++) {
      request.reset();
      filter.doFilter(request, null, application);
    }
  }

  @TearDown
  public void tearDown() {
    stop(shape);
  }
}
