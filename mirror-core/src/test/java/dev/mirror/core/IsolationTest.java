package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.api.DropReason;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.stats.TargetStats;
import dev.mirror.core.testing.BlackHole;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A shadow that never answers costs the caller nothing and holds no more than the cap. */
class IsolationTest {

  @Test
  void blackHole_10000Submits_returnPromptly_capHolds_dropsCounted_closeWithinDeadline()
      throws Exception {
    int cap = 16;
    try (BlackHole hole = new BlackHole()) {
      MirrorEngine engine = MirrorEngine.builder()
          .policy(MirrorPolicy.builder("p").target(MirrorTarget.builder("t", hole.address())
              .maxInFlight(cap).readTimeout(Duration.ofSeconds(30)).failureThreshold(1_000_000)
              .build()).build())
          .closeTimeout(Duration.ofMillis(500))
          .build();
      MirroredRequest request = MirroredRequest.builder().method("POST").rawTarget("/x")
          .body(new byte[1024]).build();

      long slowestNanos = 0;
      int accepted = 0;
      int maxInFlightSeen = 0;
      for (int i = 0; i < 10_000; i++) {
        long start = System.nanoTime();
        SubmitResult result = engine.submit(request);
        slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
        if (result.outcome() == Outcome.ACCEPTED) {
          accepted++;
        } else {
          assertThat(result.dropReason()).isEqualTo(DropReason.QUEUE_FULL);
        }
        if (i % 100 == 0) {
          maxInFlightSeen = Math.max(maxInFlightSeen, engine.stats().target("t").inFlight());
        }
      }

      // Generous: a submit that waited on the shadow would take the 30 s read timeout.
      assertThat(TimeUnit.NANOSECONDS.toMillis(slowestNanos)).isLessThan(1_000);
      assertThat(accepted).isEqualTo(cap);
      assertThat(maxInFlightSeen).isLessThanOrEqualTo(cap);
      TargetStats stats = engine.stats().target("t");
      assertThat(stats.dropped(DropReason.QUEUE_FULL)).isEqualTo(10_000 - cap);
      assertThat(engine.stats().policies().get(0).submitted()).isEqualTo(10_000);
      assertThat(stats.offered()).isEqualTo(10_000);

      long closeStart = System.nanoTime();
      engine.close();
      long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStart);
      assertThat(closeMillis).isLessThan(5_000);
      TargetStats closed = engine.stats().target("t");
      assertThat(closed.inFlight()).isZero();
      assertThat(closed.sent() + closed.failedTotal() + closed.droppedTotal())
          .isEqualTo(engine.stats().policies().get(0).submitted());
      assertThat(hole.connections()).isLessThanOrEqualTo(cap);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
          .until(() -> mirrorThreads() == 0);
    }
  }

  private static long mirrorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && (t.getName().startsWith("mirror-dispatch")
            || t.getName().startsWith("mirror-http") || t.getName().startsWith("mirror-send")))
        .count();
  }

  @Test
  void afterClose_nothingIsTaken_andSubmitSaysSo() {
    MirrorEngine engine = MirrorEngine.builder()
        .policy(MirrorPolicy.to("http://127.0.0.1:9").build()).build();
    engine.close();
    engine.close();
    assertThat(engine.submit(MirroredRequest.builder().build()).outcome())
        .isEqualTo(Outcome.DISABLED);
  }
}
