package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.Decision;
import dev.mirror.api.FailureReason;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.stats.MirrorStats;
import dev.mirror.core.stats.PolicyStats;
import dev.mirror.core.stats.TargetStats;
import dev.mirror.core.testing.Shadow;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** Changing the configuration of a running engine: atomic, nothing lost, nothing counted twice. */
class ReconfigureTest {

  private static Map<String, String> keys(String... keyValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  private static MirroredRequest post(String path) {
    return MirroredRequest.builder().method("POST").rawTarget(path)
        .body("{}".getBytes(StandardCharsets.UTF_8)).build();
  }

  private static long mirrorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("mirror-")).count();
  }

  @Test
  void aThousandSwapsUnderLoad_everyRequestEndsOnce_andNothingLeaks() throws Exception {
    try (Shadow a = Shadow.answering(200); Shadow b = Shadow.answering(200)) {
      Map<String, String> toA = keys("mirror.host", a.address());
      Map<String, String> toB = keys("mirror.host", b.address(), "mirror.sample-ratio", "0.5",
          "mirror.timeout.read", "1s", "mirror.max-in-flight", "64");
      long threadsBefore = mirrorThreads();
      MirrorEngine engine = MirrorConfig.parse(toA).newEngine();
      AtomicBoolean swapping = new AtomicBoolean(true);
      Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
      for (Outcome outcome : Outcome.values()) {
        outcomes.put(outcome, new LongAdder());
      }
      AtomicLong submitted = new AtomicLong();
      CountDownLatch started = new CountDownLatch(4);
      List<Thread> submitters = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread thread = new Thread(() -> {
          started.countDown();
          while (swapping.get()) {
            SubmitResult result = engine.submit(post("/load"));
            submitted.incrementAndGet();
            outcomes.get(result.outcome()).increment();
          }
        });
        thread.start();
        submitters.add(thread);
      }
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      for (int i = 0; i < 1000 || System.nanoTime() < deadline; i++) {
        // Each swap lands among requests in flight: wait for traffic between two swaps.
        long seen = submitted.get();
        long give = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (submitted.get() < seen + 50) {
          assertThat(System.nanoTime() - give).as("submitters stalled").isNegative();
          Thread.onSpinWait();
        }
        engine.reconfigure(i % 2 == 0 ? toB : toA);
      }
      engine.reconfigure(toA);
      swapping.set(false);
      for (Thread thread : submitters) {
        thread.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(thread.isAlive()).isFalse();
      }
      await().atMost(Duration.ofSeconds(20))
          .until(() -> engine.stats().target("default").inFlight() == 0);

      MirrorStats stats = engine.stats();
      PolicyStats policy = stats.policy("default");
      TargetStats target = policy.target("default");
      assertThat(submitted.get()).as("requests submitted").isPositive();
      assertThat(stats.requests()).isEqualTo(submitted.get());
      assertThat(policy.submitted()).isEqualTo(submitted.get());
      assertThat(target.offered()).as("each request ends in exactly one outcome")
          .isEqualTo(policy.offered());
      assertThat(policy.sampledOut()).as(outcomes + " " + stats).isEqualTo(outcomes.get(Outcome.SAMPLED_OUT).sum());
      assertThat(target.sent() + target.failedTotal() + target.droppedTotal())
          .isEqualTo(policy.offered());
      assertThat(stats.errors()).isZero();
      // A copy that fails after being written (its answer late, its connection broken) may still
      // reach the shadow: on a loaded machine the shadows receive between the copies counted sent
      // and those plus the ones that failed after their first byte could have gone out.
      long received = a.server.getRequestCount() + b.server.getRequestCount();
      assertThat(received).as("copies the shadows received " + stats)
          .isBetween(target.sent(), target.sent() + failedAfterWrite(target));
      assertThat(engine.config()).contains(MirrorConfig.parse(toA));

      engine.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> mirrorThreads() <= threadsBefore);
    }
  }

  @Test
  void aRequestDecidedBeforeAChange_goesWhereItWasDecidedToGo() throws Exception {
    try (Shadow a = Shadow.answering(200); Shadow b = Shadow.answering(200);
        MirrorEngine engine = MirrorConfig.parse(keys("mirror.host", a.address())).newEngine()) {
      MirroredRequest request = post("/before");
      Decision decided = engine.decide(request);
      engine.reconfigure(keys("mirror.host", b.address()));
      engine.submit(decided, request);
      RecordedRequest copy = a.take();
      assertThat(copy.getTarget()).isEqualTo("/before");
      engine.submit(post("/after"));
      assertThat(b.take().getTarget()).isEqualTo("/after");
      await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().target("default").sent() == 2);
      assertThat(engine.stats().target("default").inFlight()).isZero();
    }
  }

  @Test
  void countersSurvive_aChangeThatKeepsTheTarget_andStartFreshForANewOne() throws Exception {
    try (Shadow a = Shadow.answering(200);
        MirrorEngine engine = MirrorConfig.parse(keys("mirror.policies", "api",
            "mirror.policy.api.targets", "t", "mirror.policy.api.target.t.host", a.address()))
            .newEngine()) {
      engine.submit(post("/1"));
      await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().target("t").sent() == 1);
      engine.reconfigure(keys("mirror.policies", "api", "mirror.policy.api.targets", "t,u",
          "mirror.policy.api.target.t.host", a.address(), "mirror.policy.api.target.u.host",
          a.address(), "mirror.timeout.read", "3s"));
      assertThat(engine.stats().target("t").sent()).isEqualTo(1);
      assertThat(engine.stats().policy("api").submitted()).isEqualTo(1);
      assertThat(engine.stats().target("u").offered()).isZero();
      assertThat(engine.policy("api").targets().get(0).readTimeout())
          .isEqualTo(Duration.ofSeconds(3));
    }
  }

  @Test
  void onePolicyOff_keepsItsSettings_andComesBackOn() throws Exception {
    try (MirrorEngine engine = MirrorConfig.parse(keys("mirror.host", "http://127.0.0.1:9",
        "mirror.sample-ratio", "0.5")).newEngine()) {
      engine.setEnabled("default", false);
      assertThat(engine.submit(post("/x")).outcome()).isEqualTo(Outcome.FILTERED_OUT);
      assertThat(engine.config().orElseThrow().toProperties())
          .containsEntry("mirror.policy.default.enabled", "false")
          .containsEntry("mirror.policy.default.sample-ratio", "0.5");
      engine.setEnabled("default", true);
      assertThat(engine.policy("default").enabled()).isTrue();
      assertThat(engine.policy("default").sampler()).isEqualTo(dev.mirror.api.Sampler.ratio(0.5));
      assertThatThrownBy(() -> engine.setEnabled("nope", true))
          .hasMessage("policy: was nope, must be one of [default]");
    }
  }

  @Test
  void engineKeys_andInvalidChanges_areRefused_leavingTheRunningConfiguration() {
    try (MirrorEngine engine = MirrorConfig.parse(keys("mirror.host", "http://127.0.0.1:9"))
        .newEngine()) {
      MirrorConfig before = engine.config().orElseThrow();
      assertThatThrownBy(() -> engine.reconfigure(keys("mirror.host", "http://127.0.0.1:9",
          "mirror.transport", "jdk")))
          .isInstanceOf(MirrorConfigException.class)
          .hasMessage("mirror.transport: was jdk, must be nio as the engine runs with: it cannot"
              + " change while the engine runs (restart to change it)");
      assertThatThrownBy(() -> engine.reconfigure(keys("mirror.host", "http://127.0.0.1:9",
          "mirror.sample-ratio", "2")))
          .hasMessage("mirror.sample-ratio: was 2, must be in [0.00001, 1]");
      assertThat(engine.config()).contains(before);
    }
  }

  /**
   * Copies that failed in a way that leaves open whether the shadow got them: the connection was
   * made and the copy may have been written before the read timed out, the connection broke, or
   * the transport failed otherwise. {@code CONNECT}, {@code TLS} and {@code INVALID_REQUEST}
   * failures never reach the shadow.
   */
  static long failedAfterWrite(TargetStats target) {
    return target.failed(FailureReason.TIMEOUT) + target.failed(FailureReason.IO)
        + target.failed(FailureReason.OTHER);
  }
}
