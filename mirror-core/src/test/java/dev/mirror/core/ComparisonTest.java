package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.Comparison;
import dev.mirror.api.ComparisonResult;
import dev.mirror.api.Decision;
import dev.mirror.api.Difference;
import dev.mirror.api.Headers;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Observation;
import dev.mirror.api.Rewrite;
import dev.mirror.api.Scrubbing;
import dev.mirror.core.stats.ComparisonReport;
import dev.mirror.core.testing.BlackHole;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Comparison through the plain-code API: the primary's answer handed to {@code answered}, the
 * shadows' kept by the default transport from real shadows on 127.0.0.1, paired and compared on
 * the comparison thread.
 */
class ComparisonTest {

  private static final String PRIMARY_JSON = "{\"id\":7,\"total\":10,\"items\":[{\"sku\":\"a\","
      + "\"price\":5},{\"sku\":\"b\",\"price\":5}],\"updatedAt\":\"2026-11-29T10:00:00Z\","
      + "\"owner\":\"alice@example.com\"}";

  private MockWebServer candidate;
  private MockWebServer baseline;
  private MirrorEngine engine;

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
    for (MockWebServer server : new MockWebServer[] {candidate, baseline}) {
      if (server != null) {
        server.close();
      }
    }
  }

  private static MockWebServer json(Function<Integer, String> body) throws Exception {
    MockWebServer server = new MockWebServer();
    AtomicInteger n = new AtomicInteger();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
            .body(body.apply(n.incrementAndGet())).build();
      }
    });
    server.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
    return server;
  }

  private static String address(MockWebServer server) {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** Mirrors one request and hands over the primary's answer as an entry point would. */
  private void request(String path, String primaryBody) {
    MirroredRequest request = MirroredRequest.builder().method("GET").rawTarget(path)
        .headers(Headers.of("Accept", "application/json")).build();
    Decision decision = engine.decide(request);
    assertThat(decision.compares()).isTrue();
    engine.submit(decision, request);
    engine.answered(decision, Observation.answer("primary", 200,
        Headers.of("Content-Type", "application/json"),
        ByteBuffer.wrap(primaryBody.getBytes(StandardCharsets.UTF_8)), true, 1_000_000));
  }

  private ComparisonReport.PolicyReport report() {
    return engine.comparisons().policies().get(0);
  }

  @Test
  void differences_areFoundAtTheirPaths_ignoredPathsLeftOut_valuesRedacted_offTheRequestThread()
      throws Exception {
    candidate = json(n -> "{\"id\":7,\"total\":\"10\",\"items\":[{\"sku\":\"a\",\"price\":5},"
        + "{\"sku\":\"b\",\"price\":6}],\"owner\":\"bob@example.com\",\"extra\":true}");
    ConcurrentLinkedQueue<ComparisonResult> results = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();
    engine = MirrorEngine.builder().policy(MirrorPolicy.builder("orders")
        .target(MirrorTarget.builder("v2", address(candidate)).build())
        .rewrite(Rewrite.builder().scrubbing(Scrubbing.none().withPatterns(List.of("email"),
            Map.of())).build())
        .comparison(Comparison.builder().targets("v2")
            .ignorePaths(List.of("/updatedAt"))
            .context(Map.of("release", "v2"))
            .publish(result -> {
              threads.add(Thread.currentThread().getName());
              results.add(result);
            })
            .build())
        .build()).build();

    request("/orders/7", PRIMARY_JSON);

    await().atMost(Duration.ofSeconds(10)).until(() -> results.size() == 1);
    ComparisonResult result = results.peek();
    assertThat(result.outcome()).isEqualTo(ComparisonResult.Outcome.MISMATCHED);
    assertThat(result.endpoint()).isEqualTo("GET /orders/{id}");
    assertThat(result.context()).containsEntry("release", "v2");
    assertThat(result.differences()).extracting(Difference::field, Difference::kind)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("/total", Difference.Kind.TYPE),
            org.assertj.core.groups.Tuple.tuple("/items/1/price", Difference.Kind.VALUE),
            org.assertj.core.groups.Tuple.tuple("/owner", Difference.Kind.VALUE),
            org.assertj.core.groups.Tuple.tuple("/extra", Difference.Kind.EXTRA));
    // The policy's scrubbing applies to what reports show: no e-mail address in them.
    assertThat(result.differences().toString()).doesNotContain("alice@", "bob@");
    assertThat(threads).allMatch(name -> name.startsWith("mirror-compare"));

    ComparisonReport.PolicyReport report = report();
    assertThat(report.compared()).isEqualTo(1);
    assertThat(report.mismatched()).isEqualTo(1);
    ComparisonReport.EndpointReport endpoint = report.endpoints().get(0);
    assertThat(endpoint.fields()).extracting(ComparisonReport.FieldReport::field)
        .contains("/items/*/price", "/total", "/owner", "/extra")
        .doesNotContain("/updatedAt");
  }

  @Test
  void noisyFields_areSuppressed_whenABaselineRunsThePrimarysVersion() throws Exception {
    // Both shadows stamp their own time and a random id; only the candidate gets /total wrong,
    // on every fourth request.
    baseline = json(n -> "{\"total\":10,\"at\":" + System.nanoTime() + ",\"trace\":\"" + n
        + "x\"}");
    candidate = json(n -> "{\"total\":" + (n % 4 == 0 ? 11 : 10) + ",\"at\":" + System.nanoTime()
        + ",\"trace\":\"" + n + "y\"}");
    engine = MirrorConfig.parse(Map.of(
        "mirror.targets", "v1,v2",
        "mirror.target.v1.host", address(baseline),
        "mirror.target.v2.host", address(candidate),
        "mirror.compare", "true",
        "mirror.compare.baseline", "v1")).newEngine();

    for (int i = 0; i < 40; i++) {
      request("/price", "{\"total\":10,\"at\":1,\"trace\":\"p\"}");
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> report().compared() == 40);
    ComparisonReport.PolicyReport report = report();
    assertThat(report.targets()).containsExactly("v2");
    assertThat(report.baseline()).isEqualTo("v1");
    ComparisonReport.EndpointReport endpoint = report.endpoints().get(0);
    assertThat(endpoint.baselineCompared()).isEqualTo(40);
    Map<String, ComparisonReport.FieldReport> fields = new java.util.HashMap<>();
    endpoint.fields().forEach(f -> fields.put(f.field(), f));
    assertThat(fields.get("/at").noise()).isTrue();
    assertThat(fields.get("/trace").noise()).isTrue();
    assertThat(fields.get("/total").noise()).isFalse();
    assertThat(fields.get("/total").rate()).isEqualTo(0.25);
    // Only requests whose /total differed count as mismatched (the noise does not).
    assertThat(report.mismatched()).isBetween(8L, 10L);
  }

  @Test
  void aShadowThatNeverAnswers_keepsPendingPairsCapped_evictionsCounted() throws Exception {
    try (BlackHole hole = new BlackHole()) {
      // The copies wait a minute for their answer: only eviction takes their pairs away.
      engine = MirrorEngine.builder().policy(MirrorPolicy.builder("p")
          .target(MirrorTarget.builder("v2", hole.address()).readTimeout(Duration.ofMinutes(1))
              .build())
          .comparison(Comparison.builder().targets("v2").maxPending(5)
              .timeout(Duration.ofMinutes(10)).build())
          .build()).build();

      for (int i = 0; i < 30; i++) {
        request("/x", "{}");
      }

      await().atMost(Duration.ofSeconds(10)).until(() -> report().evicted() == 25);
      assertThat(report().pending()).isEqualTo(5);
      assertThat(report().compared()).isZero();
    }
  }

  @Test
  void aShadowThatNeverAnswers_isReportedMissing_whenItsPairsExpire() throws Exception {
    try (BlackHole hole = new BlackHole()) {
      engine = MirrorEngine.builder().policy(MirrorPolicy.builder("p")
          .target(MirrorTarget.builder("v2", hole.address()).build())
          .comparison(Comparison.builder().targets("v2").timeout(Duration.ofMillis(200)).build())
          .build()).build();

      for (int i = 0; i < 30; i++) {
        request("/x", "{}");
      }

      await().atMost(Duration.ofSeconds(10)).until(() -> report().shadowMissing() == 30);
      assertThat(report().pending()).isZero();
      assertThat(report().evicted()).isZero();
      assertThat(report().compared()).isZero();
    }
  }

  @Test
  void configuration_roundTrips_andRefusesABaselineThatIsNotATarget() {
    MirrorConfig config = MirrorConfig.parse(Map.of(
        "mirror.targets", "v1,v2",
        "mirror.target.v1.host", "http://127.0.0.1:1",
        "mirror.target.v2.host", "http://127.0.0.1:2",
        "mirror.target.v2.compare", "true",
        "mirror.compare.baseline", "v1",
        "mirror.compare.ignore-paths", "/items/*/updatedAt,/meta/**",
        "mirror.compare.headers", "*",
        "mirror.compare.absolute-threshold", "0.5",
        "mirror.compare.timeout", "5s"));
    Comparison comparison = config.policies().get(0).comparison();
    assertThat(comparison.targets()).containsExactly("v2");
    assertThat(comparison.absoluteThreshold()).isEqualTo(0.005);
    assertThat(comparison.relativeThreshold()).isEqualTo(0.2);
    assertThat(MirrorConfig.parse(config.toProperties())).isEqualTo(config);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MirrorConfig.parse(Map.of(
        "mirror.host", "http://127.0.0.1:1",
        "mirror.compare", "true",
        "mirror.compare.baseline", "v9")))
        .hasMessage("mirror.compare.baseline: was v9, must be one of the policy's targets"
            + " [default]");
  }
}
