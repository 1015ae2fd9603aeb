package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.api.SubmitResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The two caps on what a target holds: copies, and their body bytes. */
class InFlightCapsTest {

  private static MirroredRequest post(int bytes) {
    return MirroredRequest.builder().method("POST").rawTarget("/x").body(new byte[bytes]).build();
  }

  @Test
  void bytes_areCappedPerTarget_smallCopiesStillPass_andTheRoomComesBack()
      throws Exception {
    try (RawShadow silent = new RawShadow((i, r) -> RawShadow.Answer.silence());
        MirrorEngine engine = MirrorEngine.builder().policy(MirrorPolicy.builder("p").target(
            MirrorTarget.builder("t", silent.address()).maxInFlightBytes(3_200)
                .readTimeout(Duration.ofMillis(300)).failureThreshold(1_000).build()).build())
            .build()) {
      assertThat(engine.submit(post(1024)).outcome()).isEqualTo(Outcome.ACCEPTED);
      assertThat(engine.submit(post(1024)).outcome()).isEqualTo(Outcome.ACCEPTED);
      SubmitResult third = engine.submit(post(1024));
      assertThat(third.outcome()).isEqualTo(Outcome.DROPPED);
      assertThat(third.dropReason()).isEqualTo(DropReason.QUEUE_FULL);
      assertThat(engine.submit(MirroredRequest.builder().rawTarget("/get").build()).outcome())
          .as("a bodiless copy holds a few hundred bytes").isEqualTo(Outcome.ACCEPTED);

      await().atMost(Duration.ofSeconds(10))
          .until(() -> engine.stats().target("t").failed(FailureReason.TIMEOUT) == 3);
      assertThat(engine.stats().target("t").inFlight()).isZero();
      assertThat(engine.submit(post(1024)).outcome()).as("the bytes were given back")
          .isEqualTo(Outcome.ACCEPTED);
      TargetStats stats = engine.stats().target("t");
      assertThat(stats.dropped(DropReason.QUEUE_FULL)).isEqualTo(1);
    }
  }

  @Test
  void aFastShadow_neverSeesQueueFull_fromABurstWithinTheDefaultCaps_onceItsSpeedIsKnown()
      throws Exception {
    try (RawShadow fast = new RawShadow((i, r) -> RawShadow.Answer.of(
            "HTTP/1.1 204 No Content\r\n\r\n"));
        MirrorEngine engine = MirrorEngine.builder().policy(MirrorPolicy.to(fast.address()).build())
            .build()) {
      // Until the shadow's first answers show how fast it is, at most 64 go out at once.
      for (int i = 0; i < 8; i++) {
        engine.submit(post(10));
        int sent = i + 1;
        await().atMost(Duration.ofSeconds(10))
            .until(() -> engine.stats().target("default").sent() == sent);
      }
      for (int i = 0; i < 500; i++) {
        assertThat(engine.submit(post(1024)).outcome()).isEqualTo(Outcome.ACCEPTED);
      }
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
          engine.stats().target("default").sent()).as("%s", engine.stats()).isEqualTo(508));
      assertThat(engine.stats().target("default").droppedTotal()).isZero();
    }
  }
}
