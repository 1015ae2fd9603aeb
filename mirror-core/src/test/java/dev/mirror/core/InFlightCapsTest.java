package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.entry.CaptureSession;
import dev.mirror.core.entry.EntryPoint;
import dev.mirror.core.stats.TargetStats;
import dev.mirror.core.testing.RawShadow;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The caps on what a target holds: copies (the target's and its transport's), and body bytes. */
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
  void aTransportsOwnLimit_turnsCopiesAwayBeforeTheyReachIt() throws Exception {
    List<CompletableFuture<ShadowResponse>> held =
        new CopyOnWriteArrayList<>();
    MirrorTransport holding = new MirrorTransport() {
      @Override
      public CompletableFuture<ShadowResponse> send(
          ShadowRequest request) {
        CompletableFuture<ShadowResponse> f =
            new CompletableFuture<>();
        held.add(f);
        return f;
      }

      @Override
      public int maxInFlight(MirrorTarget target) {
        return 2;
      }
    };
    try (MirrorEngine engine = MirrorEngine.builder().transport(holding).policy(MirrorPolicy
        .builder("p").target(MirrorTarget.builder("t", "http://127.0.0.1:9").build()).build())
        .build()) {
      assertThat(engine.submit(post(10)).outcome()).isEqualTo(Outcome.ACCEPTED);
      assertThat(engine.submit(post(10)).outcome()).isEqualTo(Outcome.ACCEPTED);
      SubmitResult third = engine.submit(post(10));
      assertThat(third.dropReason()).as("the transport's limit, 2, is below the target's cap")
          .isEqualTo(DropReason.QUEUE_FULL);
      await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2);
      assertThat(held).as("the refused copy never reached the transport").hasSize(2);
      held.get(0).completeExceptionally(new IOException("answered by the test"));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> engine.stats().target("t").inFlight() == 1);
      assertThat(engine.submit(post(10)).outcome()).as("room came back").isEqualTo(
          Outcome.ACCEPTED);
      await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 3);
      held.forEach(f -> f.completeExceptionally(new IOException("done")));
    }
  }

  @Test
  void afterTheTransportSaidFull_oneCopyIsTakenForEachCopyThatEnds() throws Exception {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1L);
    List<CompletableFuture<ShadowResponse>> held = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger sends =
        new java.util.concurrent.atomic.AtomicInteger();
    MirrorTransport fullAfterOne = request -> {
      sends.incrementAndGet();
      if (held.isEmpty()) {
        CompletableFuture<ShadowResponse> f = new CompletableFuture<>();
        held.add(f);
        return f;
      }
      return CompletableFuture.failedFuture(
          new dev.mirror.api.TransportFullException("by the test"));
    };
    // A clock that stands still: the 10 ms of saturation never lapse during the test.
    try (MirrorEngine engine = MirrorEngine.builder().clock(now::get).transport(fullAfterOne)
        .policy(MirrorPolicy.builder("p").target(MirrorTarget.builder("t", "http://127.0.0.1:9")
            .failureThreshold(1_000).build()).build()).build()) {
      assertThat(engine.submit(post(10)).outcome()).isEqualTo(Outcome.ACCEPTED);
      await().atMost(Duration.ofSeconds(10)).until(() -> sends.get() == 1);
      assertThat(engine.submit(post(10)).outcome()).isEqualTo(Outcome.ACCEPTED);
      await().atMost(Duration.ofSeconds(10)).until(
          () -> engine.stats().target("t").dropped(DropReason.QUEUE_FULL) == 1);
      for (int i = 0; i < 10; i++) {
        assertThat(engine.submit(post(10)).dropReason()).as("saturated")
            .isEqualTo(DropReason.QUEUE_FULL);
      }
      held.get(0).completeExceptionally(new IOException("ended by the test"));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> engine.stats().target("t").inFlight() == 0);
      int accepted = 0;
      for (int i = 0; i < 5; i++) {
        accepted += engine.submit(post(10)).outcome() == Outcome.ACCEPTED ? 1 : 0;
      }
      assertThat(accepted).as("one copy for the one that ended").isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> sends.get() == 3);
      assertThat(sends).as("the refused ones never reached the transport").hasValue(3);
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

  @Test
  void aBodyBeingCaptured_takesRoomAtTheByteCapAsItArrives_andGivesItBack() throws Exception {
    try (RawShadow silent = new RawShadow((i, r) -> RawShadow.Answer.silence());
        MirrorEngine engine = MirrorEngine.builder().policy(MirrorPolicy.builder("p")
            .maxBodyBytes(1024 * 1024).target(
            MirrorTarget.builder("t", silent.address()).maxInFlightBytes(64 * 1024)
                .readTimeout(Duration.ofMillis(300)).failureThreshold(1_000).build()).build())
            .build()) {
      EntryPoint entry = new EntryPoint(engine, "test");
      dev.mirror.api.RequestView view = new dev.mirror.api.RequestView() {
        @Override
        public String method() {
          return "POST";
        }

        @Override
        public String rawPath() {
          return "/upload";
        }

        @Override
        public String header(String name) {
          return null;
        }
      };
      // Two uploads of undeclared length arrive at once: the first takes 40 KiB of the 64 KiB,
      // the second cannot grow past what is left and is given up before it holds more.
      CaptureSession first = entry.open(view, null, -1, true);
      CaptureSession second = entry.open(view, null, -1, true);
      byte[] chunk = new byte[40 * 1024];
      java.io.InputStream a = first.tee(new java.io.ByteArrayInputStream(chunk));
      java.io.InputStream b = second.tee(new java.io.ByteArrayInputStream(chunk));
      assertThat(a.readAllBytes()).hasSize(chunk.length);
      assertThat(b.readAllBytes()).as("the application reads its body whole").hasSize(
          chunk.length);
      // The second ends first: it was given up while it arrived, so it is dropped now, and the
      // first (which kept its room) goes out. (Counted at submission instead, the second would
      // have gone and the first been dropped.)
      second.finish(null, () -> MirroredRequest.builder().method("POST").rawTarget("/upload"));
      assertThat(engine.stats().target("t").dropped(DropReason.QUEUE_FULL)).isEqualTo(1);
      first.finish(null, () -> MirroredRequest.builder().method("POST").rawTarget("/upload"));

      TargetStats stats = engine.stats().target("t");
      assertThat(stats.dropped(DropReason.QUEUE_FULL)).as(stats.toString()).isEqualTo(1);
      assertThat(stats.offered()).as(stats.toString()).isEqualTo(2);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> engine.stats().target("t").failed(FailureReason.TIMEOUT) == 1
              && engine.stats().target("t").inFlight() == 0);
      // Everything was given back: a body as large as the cap's room fits again.
      CaptureSession third = entry.open(view, null, -1, true);
      third.tee(new java.io.ByteArrayInputStream(new byte[60 * 1024])).readAllBytes();
      third.finish(null, () -> MirroredRequest.builder().method("POST").rawTarget("/upload"));
      TargetStats after = engine.stats().target("t");
      assertThat(after.dropped(DropReason.QUEUE_FULL)).as("the third copy was made")
          .isEqualTo(1);
      assertThat(after.offered()).isEqualTo(3);
      assertThat(after.inFlight()).isEqualTo(1);
    }
  }
}
