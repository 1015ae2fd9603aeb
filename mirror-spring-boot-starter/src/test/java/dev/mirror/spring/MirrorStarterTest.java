package dev.mirror.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.core.MirrorEngine;
import dev.mirror.core.testing.Shadow;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A real Spring Boot application on a random port, configured by properties only. */
@SpringBootTest(classes = ShopApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"server.address=127.0.0.1", "management.endpoints.web.exposure.include=mirror",
        "mirror.max-body-bytes=100000"})
class MirrorStarterTest {

  private static final Shadow SHADOW = start();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private static Shadow start() {
    try {
      return Shadow.answering(200);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @DynamicPropertySource
  static void mirror(DynamicPropertyRegistry properties) {
    properties.add("mirror.host", SHADOW::address);
  }

  @AfterAll
  static void stopShadow() {
    SHADOW.close();
  }

  @LocalServerPort int port;
  @Autowired MirrorEngine engine;
  @Autowired MeterRegistry meters;

  private HttpResponse<String> send(String method, String path, String type, byte[] body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + path)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body));
    if (type != null) {
      request.header("Content-Type", type);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static RecordedRequest copy() throws InterruptedException {
    RecordedRequest copy = SHADOW.server.takeRequest(10, TimeUnit.SECONDS);
    assertThat(copy).as("a copy at the shadow").isNotNull();
    return copy;
  }

  @Test
  void jsonFormUploadAndSearch_reachTheApplication_andTheShadowByteForByte() throws Exception {
    int copiesBefore = SHADOW.server.getRequestCount(); // the other tests share the shadow
    byte[] json = "{\"sku\":\"A-1\",\"qty\":2,\"note\":\"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> order = send("POST", "/orders", "application/json", json);
    assertThat(order.statusCode()).isEqualTo(200);
    assertThat(order.body()).isEqualTo("order A-1 x2");
    RecordedRequest orderCopy = copy();
    assertThat(orderCopy.getTarget()).isEqualTo("/orders");
    assertThat(orderCopy.getBody().toByteArray()).isEqualTo(json);

    byte[] form = "user=zo%C3%AB&password=p%40ss+word".getBytes(StandardCharsets.US_ASCII);
    HttpResponse<String> login = send("POST", "/login", "application/x-www-form-urlencoded",
        form);
    assertThat(login.body()).isEqualTo("hello zoë (9)");
    assertThat(copy().getBody().toByteArray()).isEqualTo(form);

    HttpResponse<String> search = send("GET", "/search?q=red%20shoes%26more", null, null);
    assertThat(search.body()).isEqualTo("results for red shoes&more");
    assertThat(copy().getTarget()).isEqualTo("/search?q=red%20shoes%26more");

    String boundary = "----mirror";
    byte[] upload = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\";"
        + " filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello upload\r\n--" + boundary
        + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    long droppedBefore = engine.stats().target("default").droppedTotal();
    HttpResponse<String> uploaded = send("POST", "/upload",
        "multipart/form-data; boundary=" + boundary, upload);
    assertThat(uploaded.body()).isEqualTo("uploaded a.txt 12");
    // Multipart: mirrored whole, or counted as not mirrored; never a partial copy.
    await().atMost(Duration.ofSeconds(10)).until(() ->
        SHADOW.server.getRequestCount() == copiesBefore + 4
            || engine.stats().target("default").droppedTotal() > droppedBefore);
    if (SHADOW.server.getRequestCount() == copiesBefore + 4) {
      assertThat(copy().getBody().toByteArray()).isEqualTo(upload);
    }

    // The Actuator endpoint and the meters show the counts.
    HttpResponse<String> actuator = send("GET", "/actuator/mirror", null, null);
    assertThat(actuator.statusCode()).isEqualTo(200);
    assertThat(actuator.body()).contains("\"enabled\":true").contains("\"name\":\"default\"")
        .contains("\"configVersion\":-1");
    assertThat(meters.get("mirror.copies").tags("result", "sent").functionCounter().count())
        .isGreaterThanOrEqualTo(3);

    // Switched off through the Actuator: the next request is not mirrored.
    HttpResponse<String> off = send("POST", "/actuator/mirror", "application/json",
        "{\"enabled\": false}".getBytes(StandardCharsets.UTF_8));
    assertThat(off.statusCode()).isIn(200, 204);
    assertThat(engine.isEnabled()).isFalse();
    long disabled = engine.stats().disabled();
    send("GET", "/search?q=x", null, null);
    assertThat(engine.stats().disabled()).isEqualTo(disabled + 1);
    engine.setEnabled(true);
  }

  @Test
  void actuatorCalls_areNeverMirrored_theApplicationsAre() throws Exception {
    long requestsBefore = engine.stats().requests();
    int copiesBefore = SHADOW.server.getRequestCount();
    assertThat(send("GET", "/actuator/mirror", null, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/actuator", null, null).statusCode()).isEqualTo(200);
    assertThat(engine.stats().requests()).as("management calls are not even offered")
        .isEqualTo(requestsBefore);
    assertThat(send("GET", "/search?q=after", null, null).statusCode()).isEqualTo(200);
    assertThat(copy().getTarget()).isEqualTo("/search?q=after");
    await().atMost(Duration.ofSeconds(10)).until(() ->
        SHADOW.server.getRequestCount() == copiesBefore + 1
            && engine.stats().target("default").inFlight() == 0);
    assertThat(engine.stats().requests()).isEqualTo(requestsBefore + 1);
    assertThat(SHADOW.server.getRequestCount()).isEqualTo(copiesBefore + 1);
  }

  @Test
  void managementPaths_followTheContextServletAndBasePaths() {
    org.springframework.mock.env.MockEnvironment env = new org.springframework.mock.env.MockEnvironment();
    assertThat(MirrorAutoConfiguration.managementPaths(env)).containsExactly("/actuator/**");
    env.setProperty("server.servlet.context-path", "/shop/");
    env.setProperty("spring.mvc.servlet.path", "/app");
    env.setProperty("management.endpoints.web.base-path", "/manage");
    assertThat(MirrorAutoConfiguration.managementPaths(env)).containsExactly("/shop/app/manage/**");
    env.setProperty("management.endpoints.web.base-path", "/");
    // At the root: each exposed endpoint's own path (health only, by default).
    assertThat(MirrorAutoConfiguration.managementPaths(env))
        .containsExactly("/shop/app/health", "/shop/app/health/**");
    env.setProperty("management.endpoints.web.exposure.include", "health, info,metrics");
    env.setProperty("management.endpoints.web.path-mapping.metrics", "/stats");
    assertThat(MirrorAutoConfiguration.managementPaths(env)).containsExactly(
        "/shop/app/health", "/shop/app/health/**", "/shop/app/info", "/shop/app/info/**",
        "/shop/app/stats", "/shop/app/stats/**");
    env.setProperty("management.endpoints.web.exposure.include", "*");
    assertThat(MirrorAutoConfiguration.managementPaths(env)).contains("/shop/app/env/**",
        "/shop/app/heapdump", "/shop/app/stats/**");
  }

  @Test
  void closingTheContext_closesTheEngine_andBadPropertiesFailStartUpNamingTheKey() {
    try (ConfigurableApplicationContext own = new SpringApplicationBuilder(ShopApplication.class)
        .properties("server.port=0", "server.address=127.0.0.1",
            "mirror.host=" + SHADOW.address()).run()) {
      assertThat(own.getBean(MirrorEngine.class).isEnabled()).isTrue();
      assertThat(own.getBean(MirrorEngine.class)).isNotSameAs(engine);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> mirrorThreads() == threadsOfTheSharedApp());
    assertThatThrownBy(() -> new SpringApplicationBuilder(ShopApplication.class)
        .properties("server.port=0", "server.address=127.0.0.1", "mirror.host=" + SHADOW.address(),
            "mirror.sample-ratio=1.5").run().close())
        .hasStackTraceContaining("mirror.sample-ratio: was 1.5, must be in [0.00001, 1]");
  }

  private static long mirrorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("mirror-")).count();
  }

  /** The test's shared application keeps its engine's event loop: one thread. */
  private static long threadsOfTheSharedApp() {
    return 1;
  }
}
