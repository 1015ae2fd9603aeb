package dev.mirror.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What mirroring costs on the request thread, per request: {@code MirrorFilter.doFilter} around
 * an application that reads its body, next to the application alone ({@code baseline}).
 *
 * <p>For mirrored shapes the dispatcher (one thread) falls behind a producer this fast, so most
 * copies here take the drop path; {@link AcceptedPathCost} measures the accepted path. The
 * tear-down prints how many copies were sent and dropped.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestThreadCost extends FilterBench {

  /** sampledOut: the sampler says no; empty: a GET mirrored; 1KiB, 64KiB: POSTs mirrored. */
  @Param({"sampledOut", "sampledOutCompared", "empty", "1KiB", "64KiB"})
  public String shape;

  @Setup
  public void setUp() {
    start(shape);
  }

  @Benchmark
  public void baseline() throws Exception {
    request.reset();
    application.doFilter(request, null);
  }

  @Benchmark
  public void filter() throws Exception {
    request.reset();
    filter.doFilter(request, null, application);
  }

  @TearDown
  public void tearDown() {
    stop(shape);
  }
}
