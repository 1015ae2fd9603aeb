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
 * What {@code MirrorFeature} costs a JAX-RS request whose copy is not made, per request: its
 * filters around a resource that reads its body, on a Jersey request, next to the resource alone
 * ({@code baseline}). The JAX-RS counterpart of {@link RequestThreadCost}; {@link
 * JaxrsAcceptedPathCost} measures a copy that is made.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JaxrsRequestThreadCost extends JaxrsBench {

  /** sampledOut: the sampler says no; filteredOut: the policy's paths exclude it; turnedAway: the target is at its cap. */
  @Param({"sampledOut", "filteredOut", "turnedAway"})
  public String shape;

  /** all: no @Mirrored anywhere; annotated: a @Mirrored method; notAnnotated: another method. */
  @Param({"all", "annotated", "notAnnotated"})
  public String binding;

  @Setup
  public void setUp() throws Exception {
    start(shape, binding);
  }

  @Benchmark
  public void baseline() throws Exception {
    reset();
    application();
  }

  @Benchmark
  public void feature() throws Exception {
    reset();
    exchange();
  }

  @TearDown
  public void tearDown() {
    stop(shape);
  }
}
