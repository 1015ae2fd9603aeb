package dev.mirror.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirrorDispatcher;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.RequestFilter;
import dev.mirror.api.RequestView;
import dev.mirror.api.Sampler;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.WriterInterceptor;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.glassfish.jersey.internal.MapPropertiesDelegate;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.ContainerResponse;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Decide before allocating, in JAX-RS: a request whose copy is not made (sampled out, filtered
 * out, turned away at the cap) is only looked at, neither read nor wrapped, and its filters
 * allocate nothing; a mirrored one has its length and entity read only after the decision.
 * Watched call by call on a Jersey request.
 */
class DecideFirstTest {

  /** What deciding may look at: nothing that reads the entity or changes the request. */
  private static final Set<String> LOOKS =
      Set.of("getProperty", "getMethod", "getUriInfo", "getHeaders");

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<ShadowRequest> sent = new CopyOnWriteArrayList<>();
  private Decision held;
  private MirrorEngine heldBy;

  @AfterEach
  void closeAll() throws Exception {
    if (held != null) {
      heldBy.abandon(held, DropReason.ERROR);
    }
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  /** sampledOut, filteredOut (the policy excludes /api), turnedAway (cap 1, taken), mirrored. */
  private MirrorEngine engine(String shape) {
    MirrorEngine engine = MirrorEngine.builder()
        .policy(MirrorPolicy.builder("p")
            .target(MirrorTarget.builder("t", "http://127.0.0.1:9")
                .maxInFlight(shape.equals("turnedAway") ? 1 : 64).build())
            .sampler(shape.equals("sampledOut") ? Sampler.never() : Sampler.always())
            .filter(shape.equals("filteredOut")
                ? RequestFilter.builder().excludePaths("/api/**").build() : RequestFilter.all())
            .build())
        .transport(new Recording())
        .build();
    resources.add(engine);
    if (shape.equals("turnedAway")) {
      held = engine.decide(view("/held"));
      heldBy = engine;
      assertThat(held.mirrored()).isTrue();
    }
    return engine;
  }

  /** Answers 204 at once, keeping what it was given. */
  private final class Recording implements MirrorTransport {
    @Override
    public CompletableFuture<ShadowResponse> send(ShadowRequest request) {
      sent.add(request);
      return CompletableFuture.completedFuture(new ShadowResponse(204, Headers.empty()));
    }
  }

  private static RequestView view(String path) {
    return new RequestView() {
      @Override
      public String method() {
        return "GET";
      }

      @Override
      public String rawPath() {
        return path;
      }

      @Override
      public String header(String name) {
        return null;
      }
    };
  }

  /** A Jersey request as the JDK container hands it over (first letter of names capitalised). */
  private static ContainerRequest jersey(String method, byte[] body) {
    ContainerRequest request = new ContainerRequest(URI.create("http://shop.example/"),
        URI.create("http://shop.example/api/orders?id=42"), method, null,
        new MapPropertiesDelegate(), new ResourceConfig());
    request.header("Host", "shop.example");
    request.header("X-request-id", "abc-123");
    if (body != null) {
      request.header("Content-type", "application/json");
      request.header("Content-length", Integer.toString(body.length));
      request.setEntityStream(new ByteArrayInputStream(body));
    }
    return request;
  }

  /** A response over a request of its own (a Jersey response closes its request to changes). */
  private static ContainerResponse answer() {
    return new ContainerResponse(jersey("GET", null), Response.ok("hello").build());
  }

  /** The request seen through a proxy that writes each method called into {@link #calls}. */
  private <T> T watched(Class<T> type, T target, String prefix,
      Map<String, Function<Object[], Object>> overrides) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (proxy, method, args) -> {
          calls.add(prefix + method.getName());
          Function<Object[], Object> override = overrides.get(method.getName());
          if (override != null) {
            return override.apply(args);
          }
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        }));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @CsvSource({"sampledOut, all", "filteredOut, all", "turnedAway, all",
      "sampledOut, mirrored", "filteredOut, mirrored", "turnedAway, mirrored", "mirrored, plain"})
  void aRequestNotMirrored_isOnlyLookedAt_neitherReadNorWrapped(String shape, String method)
      throws Exception {
    MirrorEngine engine = engine(shape);
    FeatureFilters filters = new FeatureFilters(new MirrorFeature(engine),
        method.equals("all") ? null : method);
    byte[] body = "{\"id\":42}".getBytes(StandardCharsets.UTF_8);
    ContainerRequest jersey = jersey("POST", body);
    InputStream entity = jersey.getEntityStream();
    ContainerRequestContext request =
        watched(ContainerRequestContext.class, jersey, "", Map.of());
    ContainerResponseContext response =
        watched(ContainerResponseContext.class, answer(), "response.", Map.of());

    filters.request(request);
    filters.response(request, response);

    assertThat(calls).as("what the feature asked of the request and the response")
        .allMatch(LOOKS::contains);
    assertThat(jersey.getEntityStream()).isSameAs(entity);
    assertThat(jersey.getPropertyNames()).isEmpty();
    TargetStats target = engine.stats().target("t");
    assertThat(target.sent() + target.failedTotal()).isZero();
    switch (shape) {
      case "sampledOut" -> assertThat(engine.stats().policies().get(0).sampledOut()).isOne();
      case "filteredOut" -> assertThat(engine.stats().policies().get(0).filteredOut()).isOne();
      case "turnedAway" -> assertThat(target.dropped(DropReason.QUEUE_FULL)).isOne();
      default -> assertThat(engine.stats().policies().get(0).submitted())
          .as("a method without @Mirrored is not even decided").isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"sampledOut", "turnedAway"})
  void aRequestNotMirrored_allocatesNothingInTheFilters(String shape) throws Exception {
    FeatureFilters filters = new FeatureFilters(new MirrorFeature(engine(shape)), "mirrored");
    ContainerRequest request = jersey("GET", null);
    ContainerResponse response = answer();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 50_000; i++) { // warm up: classes loaded, thread-local made
      filters.request(request);
      filters.response(request, response);
    }
    int requests = 20_000;
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < requests; i++) {
      filters.request(request);
      filters.response(request, response);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat((double) allocated / requests).as("bytes allocated per request").isLessThan(1);
  }

  @Test
  void aMirroredRequest_hasItsLengthAndEntityReadOnlyAfterTheDecision() throws Exception {
    MirrorEngine engine = engine("mirrored");
    MirrorDispatcher logging = new Logging(engine);
    FeatureFilters filters = new FeatureFilters(new MirrorFeature(logging), "mirrored");
    byte[] body = "{\"id\":42}".getBytes(StandardCharsets.UTF_8);
    ContainerRequestContext request =
        watched(ContainerRequestContext.class, jersey("POST", body), "", Map.of());

    filters.request(request);
    int decided = calls.indexOf("decide");
    assertThat(decided).isNotNegative();
    assertThat(calls.subList(0, decided)).allMatch(LOOKS::contains);
    assertThat(calls.subList(decided, calls.size()))
        .contains("getHeaders", "getEntityStream", "setEntityStream", "setProperty")
        .as("a declared length says there is a body: the runtime is not asked to peek")
        .doesNotContain("hasEntity");
    assertThat(request.getEntityStream().readAllBytes()).isEqualTo(body);
    filters.response(request, answer());

    await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 1);
    ShadowRequest copy = sent.get(0);
    byte[] copied = new byte[copy.body().remaining()];
    copy.body().duplicate().get(copied);
    assertThat(copied).isEqualTo(body);
  }

  @ParameterizedTest(name = "Content-Length: {0}")
  @CsvSource({"ten", "-5", "''"})
  void aLengthThatIsNotOne_givesTheRoomBack_countedAsAnError(String declared) throws Exception {
    MirrorEngine engine = engine("mirrored");
    FeatureFilters filters = new FeatureFilters(new MirrorFeature(engine), null);
    ContainerRequest request = jersey("POST", new byte[10]);
    request.getHeaders().putSingle("Content-Length", declared);

    filters.request(request);
    filters.response(request, answer());

    TargetStats target = engine.stats().target("t");
    assertThat(target.dropped(DropReason.ERROR)).isOne();
    assertThat(target.inFlight()).isZero();
    assertThat(request.getPropertyNames()).isEmpty();
  }

  @Test
  void noEntityInterceptorIsRegistered_anAnswerIsKeptOnlyForAComparedRequest() throws Exception {
    FeatureFilters filters = new FeatureFilters(new MirrorFeature(engine("mirrored")), null);
    assertThat(filters.registered)
        .noneMatch(p -> p instanceof WriterInterceptor || p instanceof ReaderInterceptor);
  }

  @Test
  void headerNames_areLookedUpInAnyCase_beyondTheNamesRemembered() {
    ContainerRequest request = jersey("GET", null);
    request.header("X-User-Id", "7");
    request.header("x-tenant", "acme");
    JaxrsRequestView view = JaxrsRequestView.of(request);
    try {
      for (int round = 0; round < 3; round++) {
        assertThat(view.header("X-User-Id")).isEqualTo("7");
        assertThat(view.header("x-user-id")).isEqualTo("7");
        assertThat(view.header("X-USER-ID")).isEqualTo("7");
        assertThat(view.header("X-Tenant")).isEqualTo("acme");
        for (int i = 0; i < 12; i++) { // more names than the view remembers
          assertThat(view.header("X-Absent-" + i)).isNull();
        }
      }
      assertThat(view.header("Host")).isEqualTo("shop.example");
      assertThat(view.method()).isEqualTo("GET");
      assertThat(view.rawPath()).isEqualTo("/api/orders");
      assertThat(view.rawQuery()).isEqualTo("id=42");
    } finally {
      view.release();
    }
  }

  /** A dispatcher that writes "decide" into the same log as the request's calls. */
  private final class Logging implements MirrorDispatcher {
    private final MirrorDispatcher engine;

    Logging(MirrorDispatcher engine) {
      this.engine = engine;
    }

    @Override
    public Decision decide(RequestView request) {
      calls.add("decide");
      return engine.decide(request);
    }

    @Override
    public SubmitResult submit(Decision decision, MirroredRequest request) {
      return engine.submit(decision, request);
    }

    @Override
    public void abandon(Decision decision, DropReason reason) {
      engine.abandon(decision, reason);
    }

    @Override
    public void close() {
      engine.close();
    }
  }
}
