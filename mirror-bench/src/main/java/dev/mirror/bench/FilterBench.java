package dev.mirror.bench;

import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import dev.mirror.servlet.MirrorFilter;
import jakarta.servlet.FilterChain;

/** What both filter benchmarks hold: an engine, the filter over it, a request, the application. */
abstract class FilterBench {

  MirrorEngine engine;
  MirrorFilter filter;
  BenchRequest request;
  final FilterChain application = Fixture.readingApplication();

  void start(String shape) {
    engine = Fixture.engine(shape);
    filter = new MirrorFilter(engine);
    request = Fixture.request(shape);
  }

  /** Prints what became of the copies, then closes the engine. */
  void stop(String shape) {
    TargetStats stats = engine.stats().target("t");
    System.out.printf("%n  [%s] copies sent %,d, dropped %,d, sampled out %,d%n", shape,
        stats.sent(), stats.droppedTotal(), engine.stats().policies().get(0).sampledOut());
    engine.close();
  }
}
