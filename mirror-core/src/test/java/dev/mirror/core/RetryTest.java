package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.api.RetryPolicy;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.stats.TargetStats;
import dev.mirror.core.testing.ClosedPort;
import dev.mirror.core.testing.Shadow;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Copies that failed before reaching the shadow are sent again; others never are, by default. */
class RetryTest {

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

  private static MirroredRequest request(String method, int n) {
    return MirroredRequest.builder().method(method).rawTarget("/copy/" + n).build();
  }

  private TargetStats stats() {
    return engine.stats().target("t");
  }

  /** A shadow on a port chosen beforehand, counting each copy's path; started when told. */
  private static final class CountingShadow implements AutoCloseable {
    final MockWebServer server = new MockWebServer();
    final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

    CountingShadow() {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          received.computeIfAbsent(request.getTarget(), k -> new AtomicInteger()).incrementAndGet();
          return new MockResponse.Builder().code(200).body("ok").build();
        }
      });
    }

    void start(int port) throws Exception {
      server.start(InetAddress.getByName("127.0.0.1"), port);
    }

    @Override
    public void close() {
      server.close();
    }
  }

  @Test
  void shadowRefusingForAWhile_withRetries_getsEveryCopyExactlyOnce() throws Exception {
    int copies = 40;
    int port = ClosedPort.find();
    // Delays of about 150-300, 300-600, 600-1200, 1200-2400 and 2400-4800 ms: the last two span
    // an outage of up to two seconds.
    engine(MirrorTarget.builder("t", "http://127.0.0.1:" + port)
        .retry(RetryPolicy.of(5, Duration.ofMillis(300))).build());
    try (CountingShadow shadow = new CountingShadow()) {
      long slowest = 0;
      for (int i = 0; i < copies; i++) {
        long start = System.nanoTime();
        assertThat(engine.submit(request("POST", i)).outcome()).isEqualTo(Outcome.ACCEPTED);
        slowest = Math.max(slowest, System.nanoTime() - start);
      }
      // Submitting never waits for the shadow, nor for a retry: far below the outage's length.
      assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).isLessThan(500);
      // The outage: every copy refused four times (its fourth retry waits), then the shadow is up.
      await().atMost(Duration.ofSeconds(10))
          .until(() -> stats().retries().scheduled() >= 4L * copies);
      assertThat(stats().failedTotal()).isZero();
      assertThat(stats().inFlight()).isEqualTo(copies); // waiting copies keep their room
      assertThat(stats().circuitOpen()).isFalse(); // the circuit sees final outcomes only
      shadow.start(port);

      await().atMost(Duration.ofSeconds(10)).until(() -> stats().sent() == copies);
      TargetStats stats = stats();
      assertThat(stats.failedTotal()).isZero();
      assertThat(stats.droppedTotal()).isZero();
      assertThat(stats.inFlight()).isZero();
      assertThat(stats.retries().exhausted()).isZero();
      assertThat(stats.retries().refused()).isZero();
      assertThat(stats.retries().pending()).isZero();
      assertThat(stats.offered()).isEqualTo(copies);
      assertThat(shadow.received).hasSize(copies);
      assertThat(shadow.received.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    }
  }

  @Test
  void readTimeoutAfterWriting_isNotRetried_byDefault() throws Exception {
    try (Shadow slow = Shadow.slow(3_000)) {
      engine(MirrorTarget.builder("t", slow.address()).readTimeout(Duration.ofMillis(200))
          .retry(RetryPolicy.of(3, Duration.ofMillis(20))).build());
      engine.submit(request("GET", 1));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> stats().failed(FailureReason.TIMEOUT) == 1);
      // Counted as failed means ended: no retry can follow.
      assertThat(stats().retries().scheduled()).isZero();
      assertThat(stats().inFlight()).isZero();
      assertThat(slow.server.getRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void readTimeout_ofAnIdempotentMethod_isRetried_whenAskedFor_andMayArriveTwice()
      throws Exception {
    try (Shadow slow = Shadow.slow(3_000)) {
      engine(MirrorTarget.builder("t", slow.address()).readTimeout(Duration.ofMillis(200))
          .retry(RetryPolicy.of(1, Duration.ofMillis(20)).withIdempotentTimeouts(true)).build());
      engine.submit(request("PUT", 1));
      engine.submit(request("POST", 2));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> stats().failed(FailureReason.TIMEOUT) == 2);
      assertThat(stats().retries().scheduled()).isEqualTo(1); // the PUT, not the POST
      assertThat(stats().retries().exhausted()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> slow.server.getRequestCount() == 3);
    }
  }

  @Test
  void refusedConnection_withRetriesUsedUp_failsOnce_countedExhausted() {
    engine(MirrorTarget.builder("t", "http://127.0.0.1:" + ClosedPort.find())
        .retry(RetryPolicy.of(2, Duration.ofMillis(10))).build());
    engine.submit(request("POST", 1));
    await().atMost(Duration.ofSeconds(10))
        .until(() -> stats().failed(FailureReason.CONNECT) == 1);
    TargetStats stats = stats();
    assertThat(stats.retries().scheduled()).isEqualTo(2);
    assertThat(stats.retries().exhausted()).isEqualTo(1);
    assertThat(stats.inFlight()).isZero();
    assertThat(stats.offered()).isEqualTo(1);
  }

  @Test
  void moreCopiesWaiting_thanMaxPending_endFailed_countedRefused() {
    engine(MirrorTarget.builder("t", "http://127.0.0.1:" + ClosedPort.find())
        .retry(RetryPolicy.of(5, Duration.ofSeconds(10)).withMaxPending(1)).build());
    for (int i = 0; i < 3; i++) {
      engine.submit(request("POST", i));
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> stats().failed(FailureReason.CONNECT) == 2);
    TargetStats stats = stats();
    assertThat(stats.retries().refused()).isEqualTo(2);
    assertThat(stats.retries().pending()).isEqualTo(1);
    assertThat(stats.inFlight()).isEqualTo(1);
  }

  @Test
  void close_endsCopiesWaitingForARetry_asClosed_withoutWaitingForThem() {
    engine(MirrorTarget.builder("t", "http://127.0.0.1:" + ClosedPort.find())
        .retry(RetryPolicy.of(5, Duration.ofSeconds(10))).build());
    for (int i = 0; i < 3; i++) {
      engine.submit(request("POST", i));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> stats().retries().pending() == 3);
    long start = System.nanoTime();
    engine.close();
    // Not the ten seconds the retries would wait, nor the close timeout.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
    TargetStats stats = stats();
    assertThat(stats.dropped(DropReason.CLOSED)).isEqualTo(3);
    assertThat(stats.inFlight()).isZero();
    assertThat(stats.retries().pending()).isZero();
    assertThat(stats.offered()).isEqualTo(3);
  }

  @Test
  void keys_setTheTargetsRetries_andPrintBack() {
    MirrorConfig config = MirrorConfig.parse(Map.of("mirror.host", "http://127.0.0.1:1",
        "mirror.retry.attempts", "3", "mirror.retry.backoff", "250ms",
        "mirror.retry.max-pending", "16", "mirror.retry.idempotent-timeouts", "true"));
    assertThat(config.policies().get(0).targets().get(0).retry())
        .isEqualTo(new RetryPolicy(3, Duration.ofMillis(250), 16, true));
    assertThat(MirrorConfig.parse(config.toProperties()).policies().get(0).targets().get(0)
        .retry()).isEqualTo(config.policies().get(0).targets().get(0).retry());
    MirrorConfig defaults = MirrorConfig.parse(Map.of("mirror.host", "http://127.0.0.1:1"));
    assertThat(defaults.policies().get(0).targets().get(0).retry()).isEqualTo(RetryPolicy.off());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "mirror.retry.attempts | 6 | mirror.retry.attempts: was 6, must be an integer in [0, 5]",
      "mirror.retry.attempts | -1 | mirror.retry.attempts: was -1, must be an integer in [0, 5]",
      "mirror.retry.backoff | 0ms | mirror.retry.backoff: was 0ms, must be a duration such as 500ms, 2s or 1m, more than 0 and at most 10s",
      "mirror.retry.backoff | 11s | mirror.retry.backoff: was 11s, must be a duration such as 500ms, 2s or 1m, more than 0 and at most 10s",
      "mirror.retry.max-pending | 0 | mirror.retry.max-pending: was 0, must be an integer in [1, 100000]",
      "mirror.retry.idempotent-timeouts | yes | mirror.retry.idempotent-timeouts: was yes, must be true or false",
  })
  void invalidRetryKey_failsNamingKeyValueAndRule(String key, String value, String message) {
    Map<String, String> config = new HashMap<>(Map.of("mirror.host", "http://127.0.0.1:1"));
    config.put(key, value);
    assertThatThrownBy(() -> MirrorConfig.parse(config))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessage(message);
  }

  @Test
  void retryPolicy_checksEachValue_andBacksOffExponentially_withinTheCap() {
    assertThatThrownBy(() -> RetryPolicy.of(6, Duration.ofMillis(100)))
        .hasMessage("retry.attempts: was 6, must be in [0, 5]");
    assertThatThrownBy(() -> RetryPolicy.of(1, Duration.ZERO))
        .hasMessage("retry.backoff: was 0ms, must be a positive duration of at most 10s");
    RetryPolicy retry = RetryPolicy.of(5, Duration.ofMillis(100));
    assertThat(retry.delayNanos(1, 0)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    assertThat(retry.delayNanos(3, 0.999999)).isBetween(TimeUnit.MILLISECONDS.toNanos(399),
        TimeUnit.MILLISECONDS.toNanos(400));
    assertThat(RetryPolicy.of(5, Duration.ofSeconds(10)).delayNanos(5, 0.999999))
        .isLessThanOrEqualTo(RetryPolicy.MAX_DELAY.toNanos());
    assertThat(CopyRun.idempotent("GET")).isTrue();
    assertThat(CopyRun.idempotent("DELETE")).isTrue();
    assertThat(CopyRun.idempotent("POST")).isFalse();
    assertThat(CopyRun.idempotent("PATCH")).isFalse();
  }
}
