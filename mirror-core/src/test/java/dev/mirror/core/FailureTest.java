package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.api.MirrorEvent;
import dev.mirror.api.MirrorMode;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.api.RequestFilter;
import dev.mirror.api.Sampler;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.stats.MirrorStats;
import dev.mirror.core.stats.PolicyStats;
import dev.mirror.core.stats.TargetStats;
import dev.mirror.core.testing.BlackHole;
import dev.mirror.core.testing.Shadow;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whatever the shadow does, the caller gets an answer at once and the cause is counted. */
class FailureTest {

  private MirrorEngine engine;

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  private MirrorEngine engine(MirrorTarget target) {
    engine = MirrorEngine.builder().policy(MirrorPolicy.builder("p").target(target).build())
        .closeTimeout(Duration.ofMillis(500)).build();
    return engine;
  }

  private static MirroredRequest post() {
    return MirroredRequest.builder().method("POST").rawTarget("/x")
        .body("{}".getBytes(StandardCharsets.UTF_8)).build();
  }

  private TargetStats awaitFailed(FailureReason reason) {
    await().atMost(Duration.ofSeconds(15))
        .until(() -> engine.stats().target("t").failed(reason) == 1);
    return engine.stats().target("t");
  }

  @Test
  void refusedConnection_isCountedAsConnect() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    engine(MirrorTarget.builder("t", "http://127.0.0.1:" + port).build());
    assertThat(engine.submit(post()).outcome()).isEqualTo(Outcome.ACCEPTED);
    TargetStats stats = awaitFailed(FailureReason.CONNECT);
    assertThat(stats.sent()).isZero();
    assertThat(stats.inFlight()).isZero();
  }

  @Test
  void unresolvableHost_isCountedAsConnect() {
    engine(MirrorTarget.builder("t", "http://no-such-host.invalid").build());
    assertThat(engine.submit(post()).outcome()).isEqualTo(Outcome.ACCEPTED);
    awaitFailed(FailureReason.CONNECT);
  }

  @Test
  void slowAnswer_pastTheReadTimeout_isCountedAsTimeout() throws Exception {
    try (Shadow slow = new Shadow(new MockResponse.Builder()
        .headersDelay(5, TimeUnit.SECONDS).build())) {
      engine(MirrorTarget.builder("t", slow.address()).readTimeout(Duration.ofMillis(200)).build());
      assertThat(engine.submit(post()).outcome()).isEqualTo(Outcome.ACCEPTED);
      TargetStats stats = awaitFailed(FailureReason.TIMEOUT);
      assertThat(stats.latency().count()).isEqualTo(1);
    }
  }

  @Test
  void blackHole_isCountedAsTimeout() throws Exception {
    try (BlackHole hole = new BlackHole()) {
      engine(MirrorTarget.builder("t", hole.address()).readTimeout(Duration.ofMillis(200)).build());
      engine.submit(post());
      awaitFailed(FailureReason.TIMEOUT);
    }
  }

  @Test
  void serverErrors_areAnswersCountedBy5xxClass_notFailures() throws Exception {
    try (Shadow broken = Shadow.answering(503)) {
      engine(MirrorTarget.builder("t", broken.address()).build());
      engine.submit(post());
      await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().target("t").sent() == 1);
      TargetStats stats = engine.stats().target("t");
      assertThat(stats.responses(5)).isEqualTo(1);
      assertThat(stats.failedTotal()).isZero();
      assertThat(stats.circuitOpen()).isFalse();
    }
  }

  @Test
  void garbageAnswer_isCountedAsIo() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
      Thread garbage = new Thread(() -> {
        try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
          s.getInputStream().read(new byte[4096]);
          out.write("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (Exception ignored) {
          // the test's assertions tell
        }
      });
      garbage.setDaemon(true);
      garbage.start();
      engine(MirrorTarget.builder("t", "http://127.0.0.1:" + server.getLocalPort()).build());
      engine.submit(post());
      awaitFailed(FailureReason.IO);
    }
  }

  @Test
  void circuit_opensAfterConsecutiveFailures_thenDropsWithoutSending() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    engine(MirrorTarget.builder("t", "http://127.0.0.1:" + port).failureThreshold(3)
        .coolDown(Duration.ofMinutes(5)).build());
    for (int i = 0; i < 3; i++) {
      engine.submit(post());
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> engine.stats().target("t").failed(FailureReason.CONNECT) == 3);

    SubmitResult result = engine.submit(post());
    assertThat(result.outcome()).isEqualTo(Outcome.DROPPED);
    assertThat(result.dropReason()).isEqualTo(DropReason.CIRCUIT_OPEN);
    TargetStats stats = engine.stats().target("t");
    assertThat(stats.circuitOpen()).isTrue();
    assertThat(stats.dropped(DropReason.CIRCUIT_OPEN)).isEqualTo(1);
    assertThat(stats.failedTotal()).isEqualTo(3);
  }

  @Test
  void circuit_probesAfterTheCoolDown_andClosesOnAnAnswer() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    // The engine's clock, moved by hand: the cool-down passes when the test says so.
    AtomicLong now = new AtomicLong();
    engine = MirrorEngine.builder().clock(now::get).closeTimeout(Duration.ofMillis(500))
        .policy(MirrorPolicy.builder("p").target(MirrorTarget.builder("t",
            "http://127.0.0.1:" + port).failureThreshold(1).coolDown(Duration.ofMinutes(5))
            .build()).build()).build();
    engine.submit(post());
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().target("t").circuitOpen());
    assertThat(engine.submit(post()).dropReason()).isEqualTo(DropReason.CIRCUIT_OPEN);
    now.addAndGet(Duration.ofMinutes(5).toNanos() - 1);
    assertThat(engine.submit(post()).dropReason()).as("a nanosecond before the cool-down ends")
        .isEqualTo(DropReason.CIRCUIT_OPEN);
    now.addAndGet(1);
    // The shadow comes back on the same port.
    try (ServerSocket revived = new ServerSocket(port, 10, InetAddress.getByName("127.0.0.1"))) {
      Thread answer = new Thread(() -> {
        try (Socket s = revived.accept(); OutputStream out = s.getOutputStream()) {
          s.getInputStream().read(new byte[4096]);
          out.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
        } catch (Exception ignored) {
          // the assertions tell
        }
      });
      answer.setDaemon(true);
      answer.start();
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
        engine.submit(post());
        return engine.stats().target("t").sent() == 1;
      });
      assertThat(engine.stats().target("t").circuitOpen()).isFalse();
    }
  }

  @Test
  void rateLimit_runsOnTheEngineClock() {
    AtomicLong now = new AtomicLong();
    engine = MirrorEngine.builder().clock(now::get).policy(MirrorPolicy.builder("p").target(
        MirrorTarget.builder("t", "http://127.0.0.1:9").rateLimit(2).build()).build()).build();
    List<Decision> taken = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      taken.add(engine.decide(post()));
    }
    assertThat(taken).allMatch(Decision::mirrored);
    assertThat(engine.decide(post()).result().dropReason()).isEqualTo(DropReason.RATE_LIMITED);
    now.addAndGet(Duration.ofMillis(500).toNanos());
    taken.add(engine.decide(post()));
    assertThat(taken.get(2).mirrored()).as("one more after half a second at 2/s").isTrue();
    assertThat(engine.decide(post()).result().dropReason()).isEqualTo(DropReason.RATE_LIMITED);
    taken.forEach(d -> engine.abandon(d, DropReason.INCOMPLETE_BODY));
    TargetStats stats = engine.stats().target("t");
    assertThat(stats.dropped(DropReason.RATE_LIMITED)).isEqualTo(2);
    assertThat(stats.inFlight()).isZero();
  }

  @Test
  void stats_countEachThingOnce_engineThenPolicyThenTarget() {
    engine = MirrorEngine.builder()
        .policy(MirrorPolicy.builder("api").filter(RequestFilter.builder().includePaths("/api/**")
            .excludePaths("/api/private").build())
            .target(MirrorTarget.builder("a", "http://127.0.0.1:9").build())
            .target(MirrorTarget.builder("b", "http://127.0.0.1:9")
                .sampler(Sampler.never()).build()).build())
        .policy(MirrorPolicy.builder("other").filter(RequestFilter.builder()
            .includePaths("/other/**").build()).sampler(Sampler.never())
            .target(MirrorTarget.builder("c", "http://127.0.0.1:9").build()).build())
        .build();
    List<Decision> taken = new ArrayList<>();
    for (String path : List.of("/api/1", "/api/2", "/other/1", "/none")) {
      taken.add(engine.decide(MirroredRequest.builder().method("GET").rawTarget(path).build()));
    }
    taken.add(engine.decide(MirroredRequest.builder().method("GET").rawTarget("/api/private")
        .build())); // taken by api, filtered out
    taken.stream().filter(Decision::mirrored)
        .forEach(d -> engine.abandon(d, DropReason.INCOMPLETE_BODY));

    MirrorStats stats = engine.stats();
    assertThat(stats.requests()).isEqualTo(5);
    assertThat(stats.unrouted()).isEqualTo(1);
    PolicyStats api = stats.policy("api");
    PolicyStats other = stats.policy("other");
    assertThat(stats.unrouted() + api.submitted() + other.submitted()).isEqualTo(stats.requests());
    assertThat(api.submitted()).isEqualTo(3);
    assertThat(api.filteredOut()).isEqualTo(1);
    assertThat(api.offered()).isEqualTo(2);
    assertThat(other.sampledOut()).isEqualTo(1);
    assertThat(other.offered()).isZero();
    // Each target counts each offered request once, as a copy; none repeats the policy's counts.
    assertThat(api.target("a").offered()).isEqualTo(2);
    assertThat(api.target("a").dropped(DropReason.INCOMPLETE_BODY)).isEqualTo(2);
    assertThat(api.target("b").offered()).isEqualTo(2);
    assertThat(api.target("b").sampledOut()).isEqualTo(2);
    assertThat(other.target("c").offered()).isZero();
    assertThat(stats.targets()).hasSize(3);
    // Reading changes nothing.
    assertThat(engine.stats()).isEqualTo(stats);
  }

  @Test
  void bodyOverTheLimit_isDroppedNotTruncated_andTheRoomIsGivenBack() {
    engine = MirrorEngine.builder().policy(MirrorPolicy.to("http://127.0.0.1:9").maxBodyBytes(10)
        .build()).build();
    SubmitResult result = engine.submit(MirroredRequest.builder().method("POST")
        .body(new byte[11]).build());
    assertThat(result.outcome()).isEqualTo(Outcome.DROPPED);
    assertThat(result.dropReason()).isEqualTo(DropReason.BODY_TOO_LARGE);
    TargetStats stats = engine.stats().target("default");
    assertThat(stats.dropped(DropReason.BODY_TOO_LARGE)).isEqualTo(1);
    assertThat(stats.inFlight()).isZero();
  }

  @Test
  void markedRequest_isNeverMirroredAgain() throws Exception {
    try (Shadow shadow = Shadow.answering(200)) {
      engine(MirrorTarget.builder("t", shadow.address()).build());
      SubmitResult loop = engine.submit(MirroredRequest.builder().rawTarget("/loop")
          .headers(dev.mirror.api.Headers.of("x-mirror-request-id", "abc")).build());
      assertThat(loop.dropReason()).isEqualTo(DropReason.LOOP);
      engine.submit(MirroredRequest.builder().rawTarget("/fresh").build());
      assertThat(shadow.take().getTarget()).isEqualTo("/fresh");
      assertThat(shadow.server.getRequestCount()).isEqualTo(1);
      assertThat(engine.stats().target("t").dropped(DropReason.LOOP)).isEqualTo(1);
    }
  }

  @Test
  void synchronousMode_returnsOnlyAfterTheShadowAnswered() throws Exception {
    try (Shadow slow = new Shadow(new MockResponse.Builder().code(201)
        .headersDelay(300, TimeUnit.MILLISECONDS).build())) {
      engine = MirrorEngine.builder().policy(MirrorPolicy.to(slow.address())
          .mode(MirrorMode.SYNCHRONOUS).build()).build();
      SubmitResult result = engine.submit(post());
      assertThat(result.outcome()).isEqualTo(Outcome.ACCEPTED);
      // No waiting here: synchronous means the answer is already counted.
      assertThat(engine.stats().target("default").responses(2)).isEqualTo(1);
    }
  }

  @Test
  void synchronousMode_isBoundedByTheTimeouts() throws Exception {
    try (BlackHole hole = new BlackHole()) {
      engine = MirrorEngine.builder().policy(MirrorPolicy.builder("p").mode(MirrorMode.SYNCHRONOUS)
          .target(MirrorTarget.builder("t", hole.address()).readTimeout(Duration.ofMillis(300))
              .connectTimeout(Duration.ofMillis(300)).build()).build()).build();
      long start = System.nanoTime();
      engine.submit(post());
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // Generous: connect + read + margin is 850 ms; a hang would be unbounded.
      assertThat(tookMillis).isLessThan(5_000);
      await().atMost(Duration.ofSeconds(5))
          .until(() -> engine.stats().target("t").failed(FailureReason.TIMEOUT) == 1);
    }
  }

  @Test
  void listeners_hearEveryCopy_andOneThatThrowsIsContained() throws Exception {
    List<MirrorEvent> events = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    try (Shadow shadow = Shadow.answering(202)) {
      engine = MirrorEngine.builder().policy(MirrorPolicy.to(shadow.address()).build())
          .listener(e -> {
            throw new IllegalStateException("listener bug");
          })
          .listener(e -> {
            threads.add(Thread.currentThread().getName());
            events.add(e);
          })
          .build();
      engine.submit(post());
      await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 1);
      assertThat(threads).as("listeners never run on the transport's event loop")
          .allMatch(name -> name.startsWith("mirror-events"));
      MirrorEvent.Sent sent = (MirrorEvent.Sent) events.get(0);
      assertThat(sent.response().statusCode()).isEqualTo(202);
      assertThat(sent.request().method()).isEqualTo("POST");
      assertThat(engine.stats().errors()).isEqualTo(1);
    }
  }

  @Test
  void samplerThatThrows_countsAsSampledOutAndAnError_neverReachesTheCaller() {
    engine = MirrorEngine.builder().policy(MirrorPolicy.to("http://127.0.0.1:9").sampler(r -> {
      throw new IllegalStateException("sampler bug");
    }).build()).build();
    assertThat(engine.submit(post()).outcome()).isEqualTo(Outcome.SAMPLED_OUT);
    assertThat(engine.stats().errors()).isEqualTo(1);
  }

  @Test
  void decision_isUsedOnce_andAbandonGivesTheRoomBack() {
    engine = MirrorEngine.builder().policy(MirrorPolicy.to("http://127.0.0.1:9").build()).build();
    MirroredRequest request = post();
    dev.mirror.api.Decision decision = engine.decide(request);
    assertThat(decision.mirrored()).isTrue();
    assertThat(engine.stats().target("default").inFlight()).isEqualTo(1);
    engine.abandon(decision, DropReason.INCOMPLETE_BODY);
    engine.abandon(decision, DropReason.INCOMPLETE_BODY);
    assertThat(engine.stats().target("default").inFlight()).isZero();
    assertThat(engine.stats().target("default").dropped(DropReason.INCOMPLETE_BODY)).isEqualTo(1);
    assertThat(engine.submit(decision, request).dropReason()).isEqualTo(DropReason.ERROR);
  }

  @Test
  void disabledAtRunTime_mirrorsNothing_untilEnabledAgain() {
    engine = MirrorEngine.builder().policy(MirrorPolicy.to("http://127.0.0.1:9").build()).build();
    engine.setEnabled(false);
    assertThat(engine.submit(post()).outcome()).isEqualTo(Outcome.DISABLED);
    engine.setEnabled(true);
    assertThat(engine.decide(post()).mirrored()).isTrue();
  }

  @Test
  void lostDecision_givesItsRoomBackOnceGarbage() {
    engine = MirrorEngine.builder().policy(MirrorPolicy.builder("p").target(
        MirrorTarget.builder("t", "http://127.0.0.1:9").maxInFlight(1).build()).build()).build();
    assertThat(engine.decide(post()).mirrored()).isTrue();
    assertThat(engine.decide(post()).result().dropReason()).isEqualTo(DropReason.QUEUE_FULL);
    // Reading stats gives nothing back (it changes nothing); a full target looks for lost room.
    assertThat(engine.stats().target("t").inFlight()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      System.gc();
      return engine.decide(post()).mirrored();
    });
    assertThat(engine.stats().target("t").dropped(DropReason.ERROR)).isEqualTo(1);
  }

  @Test
  void singlePolicy_countsRequestsItDoesNotTakeAsFilteredOut_notUnrouted() {
    engine = MirrorEngine.builder().policy(MirrorPolicy.to("http://127.0.0.1:9")
        .filter(dev.mirror.api.RequestFilter.builder().methods("GET").build()).build()).build();
    assertThat(engine.submit(post()).outcome()).isEqualTo(Outcome.FILTERED_OUT);
    MirrorStats stats = engine.stats();
    assertThat(stats.unrouted()).isZero();
    assertThat(stats.policy("default").filteredOut()).isEqualTo(1);
    assertThat(stats.policy("default").submitted()).isEqualTo(1);
    assertThat(stats.target("default").offered()).isZero();
  }
}
