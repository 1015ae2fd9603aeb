package dev.mirror.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.api.DropReason;
import dev.mirror.core.testing.BlackHole;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.testing.AdminEndpointScenario;
import dev.mirror.core.testing.FirstByte;
import dev.mirror.core.testing.Shadow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.mirror.core.testing.ThrowingDispatcher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The feature's behaviour in a real JAX-RS implementation; each runs this same suite. */
abstract class MirrorFeatureContract {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private final List<AutoCloseable> resources = new ArrayList<>();

  abstract JaxrsServer.Factory servers();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    resources.add(resource);
    return resource;
  }

  private static Map<String, Object> properties(String... keyValues) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("mirror.close-timeout", "500ms");
    for (int i = 0; i < keyValues.length; i += 2) {
      properties.put(keyValues[i], keyValues[i + 1]);
    }
    return properties;
  }

  /** Starts the plain resources with a feature configured by properties only. */
  JaxrsServer withFeature(Set<Class<?>> classes, MirrorFeature feature, Map<String, Object> props) {
    closeLater(feature);
    return closeLater(servers().start(JaxrsServer.application(classes, Set.of(feature), props)));
  }

  JaxrsServer withoutFeature() {
    return closeLater(servers().start(
        JaxrsServer.application(Set.of(Resources.Plain.class), Set.of(), Map.of())));
  }

  record Shape(String name, String method, String target, String contentType, byte[] body,
      boolean chunked) {
    @Override
    public String toString() {
      return name;
    }
  }

  record Answer(int status, String body) {}

  static Answer send(JaxrsServer server, Shape shape) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url(shape.target())))
        .timeout(Duration.ofSeconds(20));
    if (shape.contentType() != null) {
      request.header("Content-Type", shape.contentType());
    }
    request.header("X-Multi", "1").header("X-Multi", "2");
    request.method(shape.method(), shape.body() == null ? HttpRequest.BodyPublishers.noBody()
        : shape.chunked() ? HttpRequest.BodyPublishers.ofInputStream(
            () -> new java.io.ByteArrayInputStream(shape.body()))
        : HttpRequest.BodyPublishers.ofByteArray(shape.body()));
    HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }

  static byte[] bytes(int n) {
    byte[] body = new byte[n];
    for (int i = 0; i < n; i++) {
      body[i] = (byte) (i * 31 + 7);
    }
    return body;
  }

  static Stream<Shape> corpus() {
    String octets = "application/octet-stream";
    return Stream.of(
        new Shape("get with encoded query", "GET",
            "/echo/a%20b/c+d?q=a+b&q=%E2%9C%93&x=%2B&empty=&flag", null, null, false),
        new Shape("binary post", "POST", "/echo/bin", octets, bytes(4096), false),
        new Shape("chunked upload", "POST", "/echo/chunked", octets, bytes(20_000), true),
        new Shape("put", "PUT", "/echo/put", "text/plain; charset=UTF-8",
            "h\u00e9llo \u2713".getBytes(StandardCharsets.UTF_8), false),
        new Shape("patch", "PATCH", "/echo/patch", "application/json",
            "{\"a\":1}".getBytes(StandardCharsets.UTF_8), false),
        new Shape("form", "POST", "/form?q=1", "application/x-www-form-urlencoded",
            "a=1&b=x+y&a=%E2%9C%93".getBytes(StandardCharsets.US_ASCII), false),
        new Shape("body never read", "POST", "/ignore", octets, bytes(3000), false),
        new Shape("body read partly", "POST", "/partial", octets, bytes(5000), false),
        new Shape("delete", "DELETE", "/echo/d", null, null, false),
        new Shape("empty post", "POST", "/echo/empty", octets, new byte[0], false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void resourceSeesTheSameWithFeatureOnOrOff_andShadowGetsTheClientsRequest(Shape shape)
      throws Exception {
    Shadow shadow = closeLater(Shadow.answering(200));
    JaxrsServer on = withFeature(Set.of(Resources.Plain.class), new MirrorFeature(),
        properties("mirror.host", shadow.address()));
    JaxrsServer off = withoutFeature();

    Answer withMirror = send(on, shape);
    assertThat(withMirror).isEqualTo(send(off, shape));
    assertThat(withMirror.status()).isEqualTo(200);

    RecordedRequest copy = shadow.take();
    assertThat(copy.getMethod()).isEqualTo(shape.method());
    assertThat(copy.getTarget()).isEqualTo(shape.target());
    byte[] sent = shape.body() == null ? new byte[0] : shape.body();
    assertThat(copy.getBody() == null ? new byte[0] : copy.getBody().toByteArray()).isEqualTo(sent);
    assertThat(copy.getHeaders().values("X-Multi")).containsExactly("1", "2");
    assertThat(copy.getHeaders().get("X-Mirror-Request-Id")).isNotBlank();
  }

  @ParameterizedTest(name = "{0} answer")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"sized", "streamed", "error"})
  void bodyTheResourceNeverRead_isMirroredWhole_whateverTheAnswersFraming(String framing)
      throws Exception {
    Shadow shadow = closeLater(Shadow.answering(200));
    JaxrsServer on = withFeature(Set.of(Resources.Plain.class), new MirrorFeature(),
        Map.of("mirror.host", shadow.address()));
    JaxrsServer off = withoutFeature();
    Shape shape = new Shape(framing, "POST", "/answer-" + framing, "application/octet-stream",
        bytes(10_000), false);
    assertThat(send(on, shape)).isEqualTo(send(off, shape));
    assertThat(shadow.take().getBody().toByteArray()).isEqualTo(bytes(10_000));
  }

  @ParameterizedTest(name = "{0} answer")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"sized", "streamed", "error"})
  void synchronous_noByteOfTheAnswerLeavesBeforeTheCopyIsAnswered(String framing)
      throws Exception {
    Shadow shadow = closeLater(Shadow.slow(400));
    JaxrsServer on = withFeature(Set.of(Resources.Plain.class), new MirrorFeature(),
        properties("mirror.host", shadow.address(), "mirror.synchronous", "true",
            "mirror.timeout.read", "2s"));
    JaxrsServer off = withoutFeature();
    assertThat(FirstByte.millis(on.port(), "/answer-" + framing, bytes(10_000)))
        .as("the 400 ms shadow is waited for").isGreaterThanOrEqualTo(400);
    assertThat(shadow.take().getBody().toByteArray()).isEqualTo(bytes(10_000));
    Shape shape = new Shape(framing, "POST", "/answer-" + framing, "application/octet-stream",
        bytes(10_000), false);
    assertThat(send(on, shape)).isEqualTo(send(off, shape));
  }

  @Test
  void synchronous_waitsNoLongerThanTheTimeouts_slowBlackHoledOrRefused() throws Exception {
    Shadow slow = closeLater(Shadow.slow(3_000));
    JaxrsServer toSlow = withFeature(Set.of(Resources.Plain.class), new MirrorFeature(),
        properties("mirror.host", slow.address(), "mirror.synchronous", "true",
            "mirror.timeout.read", "500ms"));
    assertThat(FirstByte.millis(toSlow.port(), "/answer-sized", bytes(100)))
        .as("a 3 s shadow, 500 ms read timeout").isBetween(500L, 2_500L);
    BlackHole hole = closeLater(new BlackHole());
    JaxrsServer toHole = withFeature(Set.of(Resources.Plain.class), new MirrorFeature(),
        properties("mirror.host", hole.address(), "mirror.synchronous", "true",
            "mirror.timeout.read", "500ms"));
    assertThat(FirstByte.millis(toHole.port(), "/answer-sized", bytes(100)))
        .as("a black hole, 500 ms read timeout").isBetween(500L, 2_500L);
    int refusedPort = dev.mirror.core.testing.ClosedPort.find();
    JaxrsServer toRefused = withFeature(Set.of(Resources.Plain.class), new MirrorFeature(),
        properties("mirror.host", "http://127.0.0.1:" + refusedPort, "mirror.synchronous", "true",
            "mirror.timeout.connect", "500ms"));
    assertThat(FirstByte.millis(toRefused.port(), "/answer-sized", bytes(100)))
        .as("a refused connection, 500 ms connect timeout").isLessThan(2_500L);
  }

  @Test
  void mtlsFromProperties_presentsTheClientCertificate(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    dev.mirror.core.testing.TestPki pki = new dev.mirror.core.testing.TestPki();
    try (mockwebserver3.MockWebServer shadow = pki.shadow(true)) {
      pki.writePem(dir, pki.client("jaxrs-client"));
      JaxrsServer on = withFeature(Set.of(Resources.Plain.class), new MirrorFeature(),
          properties("mirror.host", "https://127.0.0.1:" + shadow.getPort(),
              "mirror.tls.ca-file", dir.resolve("ca.pem").toString(),
              "mirror.tls.cert-file", dir.resolve("client.pem").toString(),
              "mirror.tls.key-file", dir.resolve("client.key").toString()));
      Shape shape = new Shape("post", "POST", "/echo/tls", "application/json",
          "{}".getBytes(StandardCharsets.UTF_8), false);
      assertThat(send(on, shape)).isEqualTo(send(withoutFeature(), shape));
      RecordedRequest copy = shadow.takeRequest(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(copy).isNotNull();
      assertThat(((java.security.cert.X509Certificate) copy.getHandshake().peerCertificates()
          .get(0)).getSubjectX500Principal().getName()).isEqualTo("CN=jaxrs-client");
    }
  }

  @ParameterizedTest(name = "throws from {0}")
  @org.junit.jupiter.params.provider.EnumSource(ThrowingDispatcher.Where.class)
  void aDispatcherThatThrows_leavesTheAnswerByteIdentical_andIsReportedOnce(
      ThrowingDispatcher.Where where) throws Exception {
    ThrowingDispatcher broken = new ThrowingDispatcher(where);
    JaxrsServer on = withFeature(Set.of(Resources.Plain.class), new MirrorFeature(broken), Map.of());
    JaxrsServer off = withoutFeature();
    int size = where == ThrowingDispatcher.Where.ABANDON ? 5000 : 100;
    Shape shape = new Shape("post", "POST", "/echo/p", "application/octet-stream", bytes(size),
        false);
    assertThat(send(on, shape)).isEqualTo(send(off, shape));
    assertThat(broken.reported.get()).as("reported once").isEqualTo(1);
  }

  @Test
  void bodyOverTheLimit_skipsTheCopy_resourceGetsAllOfIt() throws Exception {
    Shadow shadow = closeLater(Shadow.answering(200));
    MirrorEngine engine = closeLater(MirrorConfig.parse(Map.of("mirror.host", shadow.address(),
        "mirror.max-body-bytes", "1000")).newEngine());
    JaxrsServer on = withFeature(Set.of(Resources.Plain.class), new MirrorFeature(engine), Map.of());
    JaxrsServer off = withoutFeature();
    for (boolean chunked : new boolean[] {false, true}) {
      Shape big = new Shape("big", "POST", "/echo/big", "application/octet-stream", bytes(1001),
          chunked);
      assertThat(send(on, big)).isEqualTo(send(off, big));
    }
    assertThat(engine.stats().target("default").dropped(DropReason.BODY_TOO_LARGE)).isEqualTo(2);
    send(on, new Shape("small", "POST", "/echo/small", "application/octet-stream", bytes(10),
        false));
    assertThat(shadow.take().getTarget()).isEqualTo("/echo/small");
    assertThat(shadow.server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void mirroredAnnotation_optsInPerResource_andNamesThePolicy() throws Exception {
    Shadow main = closeLater(Shadow.answering(200));
    Shadow staging = closeLater(Shadow.answering(200));
    JaxrsServer on = withFeature(Set.of(Resources.Plain.class, Resources.OptIn.class),
        new MirrorFeature(), properties(
            "mirror.policies", "main,staging",
            "mirror.policy.main.host", main.address(),
            "mirror.policy.staging.host", staging.address(),
            "mirror.policy.staging.include-paths", "/nothing-by-path"));
    for (String path : new String[] {"/optin/off", "/echo/plain", "/optin/staging", "/optin/on"}) {
      assertThat(send(on, new Shape(path, "GET", path, null, null, false)).status())
          .isEqualTo(200);
    }
    assertThat(staging.take().getTarget()).isEqualTo("/optin/staging");
    assertThat(main.take().getTarget()).isEqualTo("/optin/on");
    assertThat(main.server.getRequestCount() + staging.server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void slowAndBlackHoledShadows_doNotDelayTheResource() throws Exception {
    Shadow slow = closeLater(new Shadow(new MockResponse.Builder()
        .headersDelay(500, TimeUnit.MILLISECONDS).build()));
    BlackHole hole = closeLater(new BlackHole());
    for (String shadow : new String[] {slow.address(), hole.address()}) {
      JaxrsServer on = withFeature(Set.of(Resources.Plain.class), new MirrorFeature(),
          properties("mirror.host", shadow, "mirror.timeout.read", "5s"));
      long start = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        assertThat(send(on, new Shape("get", "GET", "/echo/" + i, null, null, false)).status())
            .isEqualTo(200);
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // Generous: waiting for the shadow would take 10 x 0.5 s (slow) or 10 x 5 s (black hole).
      assertThat(millis).as("10 requests against %s", shadow).isLessThan(4_000);
    }
  }

  @Test
  void adminEndpoint_atItsPath_movesTheRoute_deleteStopsIt_refusalsAsSpecified()
      throws Exception {
    String token = "t0ken-" + System.nanoTime();
    try (Shadow first = Shadow.answering(200); Shadow second = Shadow.answering(200)) {
      JaxrsServer server = withFeature(Set.of(Resources.Plain.class), new MirrorFeature(),
          properties("mirror.host", first.address(), "mirror.admin.path", "/api/v1/gateway",
              "mirror.admin.token", token, "mirror.allowed-targets", second.address()));
      new AdminEndpointScenario(server.url("/api/v1/gateway"), token,
          i -> server.url("/echo/hello?i=" + i)).run(first, second);
    }
  }

  @Test
  void invalidConfiguration_failsTheApplicationStart_namingTheKey() {
    MirrorFeature feature = closeLater(new MirrorFeature());
    assertThatThrownBy(() -> closeLater(servers().start(JaxrsServer.application(
        Set.of(Resources.Plain.class), Set.of(feature),
        Map.of("mirror.host", "http://127.0.0.1:9", "mirror.sample-ratio", "0")))))
        .hasStackTraceContaining("mirror.sample-ratio: was 0, must be in [0.00001, 1]");
  }
}
