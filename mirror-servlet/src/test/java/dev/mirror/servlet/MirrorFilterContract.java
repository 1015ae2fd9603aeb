package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.MirrorDispatcher;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.RequestView;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.testing.BlackHole;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.testing.FirstByte;
import dev.mirror.core.testing.Shadow;
import dev.mirror.core.stats.TargetStats;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.mirror.core.testing.ThrowingDispatcher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The filter's behaviour in a real container; each container runs this same suite. */
abstract class MirrorFilterContract {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private final List<AutoCloseable> resources = new java.util.ArrayList<>();

  abstract Container.Factory containers();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    TestApp.release.countDown();
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    resources.add(resource);
    return resource;
  }

  MirrorEngine engine(String shadowAddress, String... keyValues) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("mirror.host", shadowAddress);
    keys.put("mirror.close-timeout", "500ms");
    for (int i = 0; i < keyValues.length; i += 2) {
      keys.put(keyValues[i], keyValues[i + 1]);
    }
    return closeLater(MirrorConfig.parse(keys).newEngine());
  }

  Container withFilter(MirrorDispatcher dispatcher) throws Exception {
    return closeLater(containers().start(new MirrorFilter(dispatcher), new TestApp()));
  }

  Container withoutFilter() throws Exception {
    return closeLater(containers().start(null, new TestApp()));
  }

  record Answer(int status, String body, String method) {}

  static Answer send(Container container, Shape shape) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(container.url(shape.target())))
        .timeout(Duration.ofSeconds(20));
    shape.headers().forEach((name, values) -> values.forEach(v -> request.header(name, v)));
    HttpRequest.BodyPublisher body = shape.body() == null ? HttpRequest.BodyPublishers.noBody()
        : shape.chunked() ? HttpRequest.BodyPublishers.ofInputStream(
            () -> new java.io.ByteArrayInputStream(shape.body()))
        : HttpRequest.BodyPublishers.ofByteArray(shape.body());
    request.method(shape.method(), body);
    if (shape.expectContinue()) {
      request.expectContinue(true);
    }
    HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body(),
        response.headers().firstValue("X-Method").orElse(null));
  }

  record Shape(String name, String method, String target, Map<String, List<String>> headers,
      byte[] body, boolean chunked, boolean expectContinue) {
    Shape(String name, String method, String target, Map<String, List<String>> headers, byte[] body) {
      this(name, method, target, headers, body, false, false);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static byte[] bytes(int n) {
    byte[] body = new byte[n];
    for (int i = 0; i < n; i++) {
      body[i] = (byte) (i * 31 + 7);
    }
    return body;
  }

  static Stream<Shape> corpus() {
    byte[] utf8 = "h\u00e9llo \u2713 text".getBytes(StandardCharsets.UTF_8);
    return Stream.of(
        new Shape("get with encoded query", "GET",
            "/echo/a%20b/c+d?q=a+b&q=%E2%9C%93&x=%2B&empty=&flag", Map.of(), null),
        new Shape("binary post, repeated headers", "POST", "/echo/bin",
            Map.of("X-Multi", List.of("1", "2", "3"), "Content-Type",
                List.of("application/octet-stream")), bytes(4096)),
        new Shape("chunked upload", "POST", "/echo/chunked", Map.of(), bytes(20_000), true, false),
        new Shape("reader with utf-8", "PUT", "/reader",
            Map.of("Content-Type", List.of("text/plain; charset=UTF-8")), utf8),
        new Shape("reader without charset", "PUT", "/reader",
            Map.of("Content-Type", List.of("text/plain")), utf8),
        new Shape("form through getParameter", "POST", "/form?q=1&a=0",
            Map.of("Content-Type", List.of("application/x-www-form-urlencoded")),
            "a=1&b=x+y&a=%E2%9C%93&c=".getBytes(StandardCharsets.US_ASCII)),
        new Shape("body never read", "POST", "/ignore", Map.of(), bytes(3000)),
        new Shape("body read partly", "POST", "/partial", Map.of(), bytes(5000)),
        new Shape("patch", "PATCH", "/echo/patch",
            Map.of("Content-Type", List.of("application/json")),
            "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
        new Shape("delete", "DELETE", "/echo/d", Map.of(), null),
        new Shape("options", "OPTIONS", "/echo/o", Map.of(), null),
        new Shape("head", "HEAD", "/echo/h", Map.of(), null),
        new Shape("empty post", "POST", "/echo/empty", Map.of(), new byte[0]),
        new Shape("expect 100-continue", "POST", "/echo/expect", Map.of(), bytes(2000), false, true),
        new Shape("async servlet, non-blocking read", "POST", "/async", Map.of(), bytes(30_000)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void primarySeesTheSameWithFilterOnOrOff_andShadowGetsTheClientsRequest(Shape shape)
      throws Exception {
    Shadow shadow = closeLater(Shadow.answering(200));
    Container on = withFilter(engine(shadow.address()));
    Container off = withoutFilter();

    Answer withMirror = send(on, shape);
    Answer without = send(off, shape);
    assertThat(withMirror).isEqualTo(without);
    assertThat(withMirror.status()).isEqualTo(200);

    RecordedRequest copy = shadow.take();
    assertThat(copy.getMethod()).isEqualTo(shape.method());
    assertThat(copy.getTarget()).isEqualTo(shape.target());
    byte[] sent = shape.body() == null ? new byte[0] : shape.body();
    assertThat(copy.getBody() == null ? new byte[0] : copy.getBody().toByteArray()).isEqualTo(sent);
    shape.headers().forEach((name, values) ->
        assertThat(copy.getHeaders().values(name)).as(name).isEqualTo(values));
    assertThat(copy.getHeaders().get("X-Mirror-Request-Id")).isNotBlank();
    assertThat(copy.getHeaders().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
    assertThat(copy.getHeaders().get("Host")).isEqualTo("127.0.0.1:" + on.port());
  }

  /** The answer to POST /answer-{framing} is the one the application gives without the filter. */
  private static void assertSameAnswer(Container on, Container off, String framing)
      throws Exception {
    Shape shape = new Shape(framing, "POST", "/answer-" + framing, Map.of(), bytes(10_000));
    Answer withMirror = send(on, shape);
    Answer without = send(off, shape);
    if (framing.equals("error")) {
      // The containers' error pages name the URI, port included: compare the status only.
      assertThat(withMirror.status()).isEqualTo(without.status()).isEqualTo(418);
    } else {
      assertThat(withMirror).isEqualTo(without);
    }
  }

  @ParameterizedTest(name = "{0} answer")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"sized", "unsized", "chunked", "closed",
      "flushed", "error"})
  void bodyTheApplicationNeverRead_isMirroredWhole_whateverTheAnswersFraming(String framing)
      throws Exception {
    Shadow shadow = closeLater(Shadow.answering(200));
    Container on = withFilter(engine(shadow.address()));
    Container off = withoutFilter();
    assertSameAnswer(on, off, framing);
    RecordedRequest copy = shadow.take();
    assertThat(copy.getBody().toByteArray()).isEqualTo(bytes(10_000));
  }

  @ParameterizedTest(name = "{0} answer")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"sized", "unsized", "chunked", "closed",
      "flushed", "error", "async"})
  void synchronous_noByteOfTheAnswerLeavesBeforeTheCopyIsAnswered(String framing)
      throws Exception {
    Shadow shadow = closeLater(Shadow.slow(400));
    MirrorEngine engine = engine(shadow.address(), "mirror.synchronous", "true",
        "mirror.timeout.read", "2s");
    Container on = withFilter(engine);
    Container off = withoutFilter();
    assertThat(FirstByte.millis(on.port(), "/answer-" + framing, bytes(10_000)))
        .as("the 400 ms shadow is waited for").isGreaterThanOrEqualTo(400);
    assertThat(shadow.take().getBody().toByteArray()).isEqualTo(bytes(10_000));
    assertSameAnswer(on, off, framing);
    TargetStats stats = engine.stats().target("default");
    assertThat(stats.waited().count()).as("waits measured").isEqualTo(2);
    assertThat(stats.waited().quantileUpperBoundMillis(0.5)).isGreaterThanOrEqualTo(400);
  }

  @Test
  void synchronous_waitsNoLongerThanTheTimeouts_slowBlackHoledOrRefused() throws Exception {
    Shadow slow = closeLater(Shadow.slow(3_000));
    Container toSlow = withFilter(engine(slow.address(), "mirror.synchronous", "true",
        "mirror.timeout.read", "500ms"));
    assertThat(FirstByte.millis(toSlow.port(), "/answer-sized", bytes(100)))
        .as("a 3 s shadow, 500 ms read timeout").isBetween(500L, 2_500L);

    dev.mirror.core.testing.BlackHole hole = closeLater(new dev.mirror.core.testing.BlackHole());
    Container toHole = withFilter(engine(hole.address(), "mirror.synchronous", "true",
        "mirror.timeout.read", "500ms"));
    assertThat(FirstByte.millis(toHole.port(), "/answer-sized", bytes(100)))
        .as("a black hole, 500 ms read timeout").isBetween(500L, 2_500L);

    int refusedPort = dev.mirror.core.testing.ClosedPort.find();
    Container toRefused = withFilter(engine("http://127.0.0.1:" + refusedPort,
        "mirror.synchronous", "true", "mirror.timeout.connect", "500ms"));
    assertThat(FirstByte.millis(toRefused.port(), "/answer-sized", bytes(100)))
        .as("a refused connection, 500 ms connect timeout").isLessThan(2_500L);
  }

  @Test
  void synchronous_anAnswerStartedBeforeTheBodyWasRead_cannotWait_theCopyStillGoesWhole()
      throws Exception {
    Shadow shadow = closeLater(Shadow.slow(3_000));
    Container on = withFilter(engine(shadow.address(), "mirror.synchronous", "true",
        "mirror.timeout.read", "5s"));
    assertThat(FirstByte.millis(on.port(), "/answer-then-read", bytes(10_000)))
        .as("committed before the body was read: nothing to wait for yet").isLessThan(2_500L);
    assertThat(shadow.take().getBody().toByteArray()).isEqualTo(bytes(10_000));
  }

  @Test
  void scrubbing_theShadowGetsExactlyTheScrubbedBytes_theApplicationTheOriginal()
      throws Exception {
    Shadow shadow = closeLater(Shadow.answering(200));
    Container on = withFilter(engine(shadow.address(),
        "mirror.redact-json-fields", "/user/password,/cards/*/number",
        "mirror.scrub-patterns", "email"));
    Container off = withoutFilter();
    String order = "{\"user\":{\"name\":\"Zo\u00eb\",\"password\":\"hunter2\","
        + "\"mail\":\"zoe@example.com\"},\"cards\":[{\"number\":\"4111111111111111\","
        + "\"exp\":\"12/30\"}],\"total\":12.50}";
    Shape shape = new Shape("order", "POST", "/echo/orders",
        Map.of("Content-Type", List.of("application/json")),
        order.getBytes(StandardCharsets.UTF_8));
    assertThat(send(on, shape)).as("the application sees the original")
        .isEqualTo(send(off, shape));
    RecordedRequest copy = shadow.take();
    assertThat(copy.getBody().utf8()).isEqualTo("{\"user\":{\"name\":\"Zo\u00eb\","
        + "\"password\":\"[masked]\",\"mail\":\"[masked]\"},\"cards\":[{\"number\":"
        + "\"[masked]\",\"exp\":\"12/30\"}],\"total\":12.50}");
    assertThat(copy.getHeaders().get("Content-Length"))
        .isEqualTo(String.valueOf(copy.getBody().size()));
  }

  @Test
  void bodyOverTheLimit_skipsTheCopy_butTheApplicationGetsAllOfIt() throws Exception {
    Shadow shadow = closeLater(Shadow.answering(200));
    MirrorEngine engine = engine(shadow.address(), "mirror.max-body-bytes", "1000");
    Container on = withFilter(engine);
    Container off = withoutFilter();
    for (boolean chunked : new boolean[] {false, true}) {
      Shape big = new Shape("big", "POST", "/echo/big", Map.of(), bytes(1001), chunked, false);
      assertThat(send(on, big)).isEqualTo(send(off, big));
    }
    assertThat(engine.stats().target("default").dropped(DropReason.BODY_TOO_LARGE)).isEqualTo(2);
    send(on, new Shape("small", "POST", "/echo/small", Map.of(), bytes(1000)));
    assertThat(shadow.take().getTarget()).isEqualTo("/echo/small");
    assertThat(shadow.server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void requestNotMirrored_reachesTheApplicationUnwrapped() throws Exception {
    Shadow shadow = closeLater(Shadow.answering(200));
    Container on = withFilter(engine(shadow.address(), "mirror.methods", "GET"));
    send(on, new Shape("post", "POST", "/echo/x", Map.of(), bytes(10)));
    assertThat(HttpServletRequestWrapper.class.isAssignableFrom(TestApp.lastRequestClass.get()))
        .isFalse();
    send(on, new Shape("get", "GET", "/echo/y", Map.of(), null));
    assertThat(TestApp.lastRequestClass.get()).isEqualTo(MirroringRequest.class);
    assertThat(shadow.take().getTarget()).isEqualTo("/echo/y");
  }

  @Test
  void requestCarryingTheMarker_passesThroughWithoutACopy() throws Exception {
    Shadow shadow = closeLater(Shadow.answering(200));
    MirrorEngine engine = engine(shadow.address());
    Container on = withFilter(engine);
    Answer answer = send(on, new Shape("marked", "GET", "/echo/loop",
        Map.of("X-Mirror-Request-Id", List.of("abc")), null));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(engine.stats().target("default").dropped(DropReason.LOOP)).isEqualTo(1);
    send(on, new Shape("fresh", "GET", "/echo/fresh", Map.of(), null));
    assertThat(shadow.take().getTarget()).isEqualTo("/echo/fresh");
  }

  @Test
  void asyncServlet_copyLeavesWhenTheExchangeCompletes() throws Exception {
    Shadow shadow = closeLater(Shadow.answering(200));
    MirrorEngine engine = engine(shadow.address());
    Container on = withFilter(engine);
    TestApp.release = new CountDownLatch(1);
    java.util.concurrent.CompletableFuture<Answer> answer =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return send(on, new Shape("held", "POST", "/async-hold", Map.of(), bytes(100)));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    // The servlet has read the body and returned from service(); the exchange is still open.
    await().atMost(Duration.ofSeconds(10))
        .until(() -> TestApp.lastRequestClass.get() == MirroringRequest.class);
    assertThat(shadow.server.takeRequest(300, TimeUnit.MILLISECONDS)).isNull();
    TestApp.release.countDown();
    assertThat(answer.get(10, TimeUnit.SECONDS).body()).startsWith("held 100:");
    RecordedRequest copy = shadow.take();
    assertThat(copy.getBody().toByteArray()).isEqualTo(bytes(100));
  }

  @Test
  void slowAndBlackHoledShadows_doNotDelayTheNextRequestOnTheSameConnection() throws Exception {
    Shadow slow = closeLater(new Shadow(new MockResponse.Builder()
        .headersDelay(500, TimeUnit.MILLISECONDS).build()));
    BlackHole hole = closeLater(new BlackHole());
    for (String shadow : new String[] {slow.address(), hole.address()}) {
      Container on = withFilter(engine(shadow, "mirror.timeout.read", "5s"));
      long start = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        assertThat(send(on, new Shape("get", "GET", "/echo/" + i, Map.of(), null)).status())
            .isEqualTo(200);
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // Generous: waiting for the shadow would take 10 x 0.5 s (slow) or 10 x 5 s (black hole).
      assertThat(millis).as("10 requests against %s", shadow).isLessThan(4_000);
    }
  }

  @Test
  void clientDisconnectingMidUpload_producesNoCopy() throws Exception {
    Shadow shadow = closeLater(Shadow.answering(200));
    MirrorEngine engine = engine(shadow.address());
    Container on = withFilter(engine);
    try (Socket socket = new Socket("127.0.0.1", on.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /echo/cut HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000\r\n"
          + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes(4000));
      out.flush();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> TestApp.lastRequestClass.get() == MirroringRequest.class);
    }
    await().atMost(Duration.ofSeconds(15)).until(() ->
        engine.stats().target("default").dropped(DropReason.INCOMPLETE_BODY) == 1);
    send(on, new Shape("fresh", "GET", "/echo/after", Map.of(), null));
    assertThat(shadow.take().getTarget()).isEqualTo("/echo/after");
    assertThat(shadow.server.getRequestCount()).isEqualTo(1);
  }

  @ParameterizedTest(name = "throws from {0}")
  @org.junit.jupiter.params.provider.EnumSource(ThrowingDispatcher.Where.class)
  void aDispatcherThatThrows_leavesTheAnswerByteIdentical_andIsReportedOnce(
      ThrowingDispatcher.Where where) throws Exception {
    ThrowingDispatcher broken = new ThrowingDispatcher(where);
    Container on = withFilter(broken);
    Container off = withoutFilter();
    // Over the dispatcher's limit for ABANDON (the copy is given up), within it otherwise.
    int size = where == ThrowingDispatcher.Where.ABANDON ? 5000 : 100;
    Shape shape = new Shape("post", "POST", "/echo/p", Map.of(), bytes(size));
    assertThat(send(on, shape)).isEqualTo(send(off, shape));
    assertThat(broken.reported.get()).as("reported once").isEqualTo(1);
  }

  @Test
  void severalPolicies_chooseTargetsByPath() throws Exception {
    Shadow staging = closeLater(Shadow.answering(200));
    Shadow perf = closeLater(Shadow.answering(200));
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("mirror.policies", "login,api,search");
    keys.put("mirror.policy.login.include-paths", "/echo/login,/echo/signup");
    keys.put("mirror.policy.login.enabled", "false");
    keys.put("mirror.policy.api.include-paths", "/echo/api/**");
    keys.put("mirror.policy.api.host", staging.address());
    keys.put("mirror.policy.search.include-paths", "/echo/search");
    keys.put("mirror.policy.search.host", perf.address());
    MirrorEngine engine = closeLater(MirrorConfig.parse(keys).newEngine());
    Container on = withFilter(engine);
    for (String path : new String[] {"/echo/login", "/echo/other", "/echo/search", "/echo/api/a"}) {
      send(on, new Shape(path, "GET", path, Map.of(), null));
    }
    assertThat(perf.take().getTarget()).isEqualTo("/echo/search");
    assertThat(staging.take().getTarget()).isEqualTo("/echo/api/a");
    assertThat(engine.stats().unrouted()).isEqualTo(1);
    assertThat(staging.server.getRequestCount() + perf.server.getRequestCount()).isEqualTo(2);
  }
}
