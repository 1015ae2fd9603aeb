package dev.mirror.core.entry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.RequestView;
import dev.mirror.api.Sampler;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.core.MirrorEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The entry point's two steps, for adapters whose request framing costs something to read
 * (JAX-RS): decide, then open the decision; and the answer tee that says when the runtime closed
 * it.
 */
class EntryPointTest {

  private final List<ShadowRequest> sent = new CopyOnWriteArrayList<>();

  private MirrorEngine engine(Sampler sampler, int cap, int maxBodyBytes) {
    return MirrorEngine.builder()
        .policy(MirrorPolicy.builder("p")
            .target(MirrorTarget.builder("t", "http://127.0.0.1:9").maxInFlight(cap).build())
            .sampler(sampler)
            .maxBodyBytes(maxBodyBytes)
            .build())
        .transport(new MirrorTransport() {
          @Override
          public CompletableFuture<ShadowResponse> send(ShadowRequest request) {
            sent.add(request);
            return CompletableFuture.completedFuture(new ShadowResponse(204, Headers.empty()));
          }
        })
        .build();
  }

  private static final RequestView GET = new RequestView() {
    @Override
    public String method() {
      return "GET";
    }

    @Override
    public String rawPath() {
      return "/orders";
    }

    @Override
    public String header(String name) {
      return null;
    }
  };

  private static MirroredRequest.Builder get() {
    return MirroredRequest.builder().method("GET").scheme("http").host("shop.example")
        .rawPath("/orders");
  }

  @Test
  void decide_saysNullForARequestNotMirrored_sampledOutOrTurnedAway() {
    try (MirrorEngine engine = engine(Sampler.never(), 1, 1000)) {
      assertThat(new EntryPoint(engine, "test").decide(GET, null)).isNull();
      assertThat(engine.stats().policies().get(0).sampledOut()).isOne();
    }
    try (MirrorEngine engine = engine(Sampler.always(), 1, 1000)) {
      EntryPoint entry = new EntryPoint(engine, "test");
      Decision first = entry.decide(GET, "");
      assertThat(first).isNotNull();
      assertThat(entry.decide(GET, null)).as("the cap of one is taken").isNull();
      assertThat(engine.stats().target("t").dropped(DropReason.QUEUE_FULL)).isOne();
      entry.abandon(first, DropReason.ERROR);
      assertThat(engine.stats().target("t").inFlight()).isZero();
      assertThat(engine.stats().target("t").dropped(DropReason.ERROR)).isOne();
    }
  }

  @Test
  void openingADecision_overTheLimit_givesItBackAsTooLarge() {
    try (MirrorEngine engine = engine(Sampler.always(), 4, 100)) {
      EntryPoint entry = new EntryPoint(engine, "test");
      assertThat(entry.open(entry.decide(GET, null), 101, true)).isNull();
      assertThat(engine.stats().target("t").dropped(DropReason.BODY_TOO_LARGE)).isOne();
      assertThat(engine.stats().target("t").inFlight()).isZero();
    }
  }

  @Test
  void aRequestWithNoBodyAndNoDeclaredLength_isSubmittedWithAnEmptyBody() throws Exception {
    try (MirrorEngine engine = engine(Sampler.always(), 4, 64 * 1024)) {
      EntryPoint entry = new EntryPoint(engine, "test");
      CaptureSession session = entry.open(entry.decide(GET, null), -1, false);
      assertThat(session.bodyOpen()).isFalse();
      session.finish(null, EntryPointTest::get);
      org.awaitility.Awaitility.await().until(() -> sent.size() == 1);
      assertThat(sent.get(0).body().remaining()).isZero();
    }
  }

  @Test
  void answerTee_keepsWhatPasses_andSaysOnceWhenClosed_evenIfClosingFails() throws IOException {
    AnswerCapture capture = new AnswerCapture(100);
    AtomicInteger closed = new AtomicInteger();
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    OutputStream tee = capture.tee(written, closed::incrementAndGet);
    tee.write("hello".getBytes());
    tee.write('!');
    assertThat(closed).hasValue(0);
    tee.close();
    tee.close();
    assertThat(closed).hasValue(1);
    assertThat(written.toString()).isEqualTo("hello!");
    assertThat(capture.observation(200, Headers.empty(), 0).body().remaining()).isEqualTo(6);

    AtomicInteger afterFailure = new AtomicInteger();
    OutputStream failing = capture.tee(new OutputStream() {
      @Override
      public void write(int b) {}

      @Override
      public void close() throws IOException {
        throw new IOException("client gone");
      }
    }, afterFailure::incrementAndGet);
    try {
      failing.close();
    } catch (IOException expected) {
      // the runtime sees its own error
    }
    assertThat(afterFailure).hasValue(1);
  }
}
