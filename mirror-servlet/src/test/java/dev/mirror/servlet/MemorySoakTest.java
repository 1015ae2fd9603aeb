package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.api.DropReason;
import dev.mirror.core.testing.BlackHole;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A bounded soak: memory held by copies stays under cap x body limit plus a small constant. */
class MemorySoakTest {

  private static final int CAP = 16;
  private static final int BODY = 256 * 1024;
  private static final long MARGIN = 16L * 1024 * 1024;

  @AfterAll
  static void writeRecord() {
    ReliabilityRecord.write();
  }

  @Test
  void twentyThousand256KiBRequestsAtABlackHole_holdAtMostCapTimesLimit() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (BlackHole hole = new BlackHole()) {
      MirrorEngine engine = MirrorConfig.parse(Map.of(
          "mirror.host", hole.address(),
          "mirror.max-in-flight", String.valueOf(CAP),
          "mirror.max-body-bytes", String.valueOf(BODY),
          "mirror.timeout.read", "60s",
          "mirror.close-timeout", "0ms")).newEngine();
      Container primary = Container.jetty(new MirrorFilter(engine), new TestApp());
      try {
        System.gc();
        long baseline = memory.getHeapMemoryUsage().getUsed();
        long worst = 0;
        int rounds = 10;
        int requests = 0;
        for (int round = 0; round < rounds; round++) {
          ShadowFaultsTest.Load load = loadBodies(primary, 4, 500);
          requests += load.requests();
          assertThat(load.failures()).isEmpty();
          System.gc();
          worst = Math.max(worst, memory.getHeapMemoryUsage().getUsed() - baseline);
        }
        TargetStats stats = engine.stats().target("default");
        assertThat(requests).isEqualTo(20_000);
        assertThat(stats.inFlight()).isEqualTo(CAP);
        assertThat(stats.dropped(DropReason.QUEUE_FULL)).isEqualTo(20_000 - CAP);
        assertThat(worst).as("heap held beyond the baseline, after GC")
            .isLessThan(CAP * (long) BODY + MARGIN);
        ReliabilityRecord.row("Memory", "20,000 requests with 256 KiB bodies at a black hole,"
                + " cap " + CAP + ", limit 256 KiB",
            "20,000/20,000 answered as without mirroring",
            String.format("held at most %.1f MiB after GC (bound: cap x limit = %.1f MiB + %d MiB);"
                + " dropped QUEUE_FULL %d", worst / 1048576.0, CAP * (double) BODY / 1048576,
                MARGIN / 1048576, stats.dropped(DropReason.QUEUE_FULL)));
      } finally {
        engine.close();
        primary.close();
      }
    }
  }

  private static ShadowFaultsTest.Load loadBodies(Container primary, int clients, int perClient)
      throws Exception {
    return ShadowFaultsTest.load(primary, clients, perClient, BODY, stats -> { }, null);
  }
}
