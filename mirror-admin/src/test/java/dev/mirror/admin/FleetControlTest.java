package dev.mirror.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 30: a fleet of engines, each behind its own admin endpoint on 127.0.0.1, controlled
 * through one compacted topic of a real KRaft broker in this JVM (one broker for the class; the
 * last test stops and restarts it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetControlTest {

  private static final String TOKEN = "fleet-token-1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private static KafkaClusterTestKit cluster;
  private static String bootstrap;
  private static Shadow shadowA;
  private static Shadow shadowB;

  private final List<Replica> replicas = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    bootstrap = cluster.bootstrapServers().split(",")[0];
    shadowA = new Shadow();
    shadowB = new Shadow();
  }

  @AfterAll
  static void stop() throws Exception {
    shadowA.close();
    shadowB.close();
    cluster.close();
  }

  @AfterEach
  void closeReplicas() {
    replicas.forEach(Replica::close);
  }

  /** A shadow that records the paths it receives. */
  static final class Shadow implements AutoCloseable {
    final MockWebServer server = new MockWebServer();
    final List<String> paths = new CopyOnWriteArrayList<>();

    Shadow() throws IOException {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          paths.add(request.getTarget());
          return new MockResponse.Builder().code(200).build();
        }
      });
      server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    String address() {
      return "http://127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() {
      server.close();
    }
  }

  /** One engine behind its own admin endpoint (a JDK HTTP server on 127.0.0.1). */
  static final class Replica implements AutoCloseable {
    final String name;
    final MirrorEngine engine;
    final HttpServer server;

    Replica(String name, String topic, String allowed) throws IOException {
      this(Map.of("mirror.host", shadowA.address(), "mirror.allowed-targets", allowed,
          "mirror.control", "kafka://" + bootstrap + "/" + topic,
          "mirror.control.replica", name, "mirror.control.timeout", "2s"));
    }

    Replica(Map<String, String> keys) throws IOException {
      this.name = keys.get("mirror.control.replica");
      this.engine = MirrorConfig.parse(keys).newEngine();
      MirrorAdmin admin = new MirrorAdmin(() -> engine, TOKEN);
      this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/api/v1/gateway", exchange -> {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
          body = in.readNBytes(MirrorAdmin.MAX_BODY_BYTES + 1);
        }
        AdminReply reply = admin.handle(new AdminCall(exchange.getRequestMethod(),
            exchange.getRequestURI().getPath().substring("/api/v1/gateway".length()),
            exchange.getRequestHeaders().getFirst("Authorization"),
            exchange.getRequestHeaders().getFirst("Content-Type"), body,
            exchange.getRemoteAddress().toString()));
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        exchange.sendResponseHeaders(reply.status(), reply.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(reply.body());
        }
      });
      server.setExecutor(Executors.newFixedThreadPool(2));
      server.start();
    }

    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/gateway"
          + path);
    }

    HttpResponse<String> post(String path, String json) throws Exception {
      return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(15))
          .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
          HttpResponse.BodyHandlers.ofString());
    }

    JsonNode routes() throws Exception {
      HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(uri("/routes"))
          .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + TOKEN).GET()
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(reply.statusCode()).isEqualTo(200);
      return JSON.readTree(reply.body());
    }

    @Override
    public void close() {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
      engine.close();
    }
  }

  private Replica replica(String name, String topic) throws IOException {
    return replica(name, topic, shadowB.address());
  }

  private Replica replica(String name, String topic, String allowed) throws IOException {
    Replica replica = new Replica(name, topic, allowed);
    replicas.add(replica);
    return replica;
  }

  private static String change(String host, int percentage) {
    return "{\"mirrorHost\": \"" + host.substring(0, host.lastIndexOf(':')) + "\", \"mirrorPort\": "
        + host.substring(host.lastIndexOf(':') + 1) + ", \"percentage\": " + percentage + "}";
  }

  private static long version(HttpResponse<String> reply) throws IOException {
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    return JSON.readTree(reply.body()).path("configVersion").asLong();
  }

  @Test
  @Order(1)
  void aChangeThroughOneReplica_isAppliedByAllThree_eachOfAHundredWithin2s() throws Exception {
    String topic = "fleet-changes";
    Replica one = replica("one", topic);
    Replica two = replica("two", topic);
    Replica three = replica("three", topic);
    List<Replica> fleet = List.of(one, two, three);

    long first = version(one.post("/routes/default/mirror", change(shadowB.address(), 50)));
    for (Replica r : fleet) {
      await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
        JsonNode routes = r.routes();
        assertThat(routes.path("configVersion").asLong()).isEqualTo(first);
        JsonNode route = routes.path("routes").get(0);
        assertThat(route.path("mirror").path("mirrorHost").asText())
            .isEqualTo("http://127.0.0.1");
        assertThat(route.path("mirror").path("mirrorPort").asInt())
            .isEqualTo(shadowB.server.getPort());
        assertThat(route.path("mirror").path("percentage").asInt()).isEqualTo(50);
        assertThat(routes.path("fleet").path("replica").asText()).isEqualTo(r.name);
      });
    }

    // A hundred changes, each through one replica in turn, timed until all three run it.
    List<Long> nanos = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      Replica through = fleet.get(i % 3);
      long start = System.nanoTime();
      long version = version(through.post("/routes/default/mirror",
          change(i % 2 == 0 ? shadowB.address() : shadowA.address(), i)));
      await().atMost(Duration.ofSeconds(2)).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(1))
          .until(() -> fleet.stream().allMatch(r -> r.engine.configVersion() >= version));
      nanos.add(System.nanoTime() - start);
      for (Replica r : fleet) {
        assertThat(r.engine.configVersion()).isEqualTo(version);
        assertThat(r.engine.policy("default").targets().get(0).port())
            .isEqualTo(i % 2 == 0 ? shadowB.server.getPort() : shadowA.server.getPort());
      }
    }
    Collections.sort(nanos);
    double p50 = nanos.get(49) / 1e6;
    double p99 = nanos.get(98) / 1e6;
    String line = String.format(Locale.ROOT, "fleet of 3: 100 changes through the admin"
        + " endpoint, applied by all three: p50 %.1f ms, p99 %.1f ms, max %.1f ms", p50, p99,
        nanos.get(99) / 1e6);
    System.out.println(line);
    Files.writeString(Path.of("target", "fleet-latency.txt"), line + "\n");
    assertThat(nanos.get(99)).isLessThan(TimeUnit.SECONDS.toNanos(2));

    // The last change (i = 100) sent everything to B: a replica started now mirrors its first
    // request there, before any change reaches it.
    Replica four = replica("four", topic);
    assertThat(four.engine.configVersion()).isEqualTo(one.engine.configVersion());
    dev.mirror.api.SubmitResult firstOfFour = four.engine.submit(MirroredRequest.builder()
        .method("GET").rawTarget("/first-of-four").build());
    assertThat(firstOfFour.accepted()).as("%s; %s", firstOfFour, four.engine.stats()).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> shadowB.paths.contains("/first-of-four"));
    assertThat(shadowA.paths).doesNotContain("/first-of-four");
    assertThat(four.routes().path("routes").get(0).path("mirror").path("percentage").asInt())
        .isEqualTo(100);
  }

  @Test
  @Order(2)
  void aChangeOneReplicaCannotApply_isReportedByEveryReplica() throws Exception {
    String topic = "fleet-refusal";
    Replica one = replica("one", topic);
    Replica two = replica("two", topic);
    // Started with a narrower allow-list: B is not a target it may be moved to.
    Replica narrow = replica("narrow", topic, shadowA.address());

    long version = version(one.post("/routes/default/mirror", change(shadowB.address(), 100)));
    await().atMost(Duration.ofSeconds(2)).until(() -> two.engine.configVersion() == version);
    for (Replica r : List.of(one, two, narrow)) {
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        JsonNode fleet = r.routes().path("fleet");
        JsonNode report = null;
        for (JsonNode each : fleet.path("replicas")) {
          if (each.path("replica").asText().equals("narrow")) {
            report = each;
          }
        }
        assertThat(report).as("narrow's report, seen from %s: %s", r.name, fleet).isNotNull();
        assertThat(report.path("failedVersion").asLong()).isEqualTo(version);
        assertThat(report.path("version").asLong()).isEqualTo(-1);
        assertThat(report.path("error").asText()).contains("mirror.policy.default.target"
            + ".default.host").contains("127.0.0.1:" + shadowB.server.getPort());
      });
    }
    // It keeps its configuration, and mirrors to A as before.
    assertThat(narrow.engine.policy("default").targets().get(0).port())
        .isEqualTo(shadowA.server.getPort());
    assertThat(narrow.engine.controlState().refused()).isEqualTo(1);

    // A change it can apply clears its report, everywhere.
    long next = version(two.post("/routes/default/mirror", change(shadowA.address(), 20)));
    await().atMost(Duration.ofSeconds(2)).until(() -> narrow.engine.configVersion() == next);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      JsonNode reports = one.routes().path("fleet").path("replicas");
      assertThat(reports.toString()).contains("\"replica\":\"narrow\",\"version\":" + next
          + ",\"failedVersion\":-1,\"error\":null");
    });
  }

  @Test
  @Order(3)
  void aChangeFromCode_goesThroughTheStoreToo_andAPolicyBuiltInCodeIsRefused() throws Exception {
    String topic = "fleet-code";
    Replica one = replica("one", topic);
    Replica two = replica("two", topic);
    Map<String, String> keys = new HashMap<>(two.engine.config().orElseThrow().toProperties());
    keys.put("mirror.policy.default.sample-ratio", "0.5");
    long version = two.engine.change(MirrorConfig.parse(keys));
    assertThat(two.engine.configVersion()).isEqualTo(version);
    await().atMost(Duration.ofSeconds(2)).until(() -> one.engine.configVersion() == version);
    assertThat(one.routes().path("routes").get(0).path("mirror").path("percentage").asInt())
        .isEqualTo(50);

    // The whole engine's switch is the fleet's too.
    one.engine.setEnabled(false);
    await().atMost(Duration.ofSeconds(2)).until(() -> !two.engine.isEnabled());
    one.engine.setEnabled(true);
    await().atMost(Duration.ofSeconds(2)).until(two.engine::isEnabled);

    // A change out of the runtime limits is refused before anything is written.
    keys.put("mirror.policy.default.target.default.host", "http://169.254.169.254:80");
    long before = one.engine.configVersion();
    assertThatThrownBy(() -> one.engine.reconfigure(MirrorConfig.parse(keys)))
        .hasMessageStartingWith("mirror.policy.default.target.default.host: was"
            + " http://169.254.169.254:80, must be the scheme, host and port of a start-up"
            + " target");
    assertThat(one.engine.configVersion()).isEqualTo(before);
    assertThatThrownBy(() -> one.engine.replacePolicy(one.engine.policy("default")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must change through a configuration (reconfigure) that every"
            + " replica applies");
  }

  @Test
  @Order(4)
  void readmeQuickStart_runsAsWritten() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String quickStart = readme.substring(readme.indexOf("### Two replicas, quick start"));
    quickStart = quickStart.substring(0, quickStart.indexOf("\n### ", 10));
    String properties = quickStart.substring(quickStart.indexOf("```properties\n") + 14);
    properties = properties.substring(0, properties.indexOf("```"));
    String body = quickStart.substring(quickStart.indexOf("-d '") + 4);
    body = body.substring(0, body.indexOf('\''));
    // The README's addresses, as this test's broker and shadows have them.
    String aKeys = properties.replace("127.0.0.1:9092", bootstrap)
        .replace("http://127.0.0.1:8081", shadowA.address())
        .replace("http://127.0.0.1:8082", shadowB.address());
    String bKeys = aKeys.replace("replica-a", "replica-b");
    Replica a = quickStartReplica(aKeys);
    Replica b = quickStartReplica(bKeys);

    HttpResponse<String> changed = a.post("/routes/default/mirror",
        body.replace("8082", String.valueOf(shadowB.server.getPort())));
    long version = version(changed);
    await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
      JsonNode routes = b.routes();
      assertThat(routes.path("configVersion").asLong()).isEqualTo(version);
      assertThat(routes.path("fleet").path("replica").asText()).isEqualTo("replica-b");
      JsonNode mirror = routes.path("routes").get(0).path("mirror");
      assertThat(mirror.path("mirrorPort").asInt()).isEqualTo(shadowB.server.getPort());
      assertThat(mirror.path("percentage").asInt()).isEqualTo(25);
    });
  }

  private Replica quickStartReplica(String properties) throws IOException {
    java.util.Properties keys = new java.util.Properties();
    keys.load(new java.io.StringReader(properties));
    Map<String, String> map = new HashMap<>();
    keys.stringPropertyNames().forEach(k -> map.put(k, keys.getProperty(k)));
    Replica replica = new Replica(map);
    replicas.add(replica);
    return replica;
  }

  @Test
  @Order(5)
  void theStoreStopped_mirroringGoesOn_changesAre503_andTheReplicasConvergeWhenItReturns()
      throws Exception {
    String topic = "fleet-outage";
    Replica one = replica("one", topic);
    Replica two = replica("two", topic);
    long before = version(one.post("/routes/default/mirror", change(shadowB.address(), 100)));
    await().atMost(Duration.ofSeconds(2)).until(() -> two.engine.configVersion() == before);

    BrokerServer broker = cluster.brokers().values().iterator().next();
    broker.shutdown();
    broker.awaitShutdown();
    try {
      // Mirroring goes on, with the last configuration.
      for (Replica r : List.of(one, two)) {
        String path = "/during-outage-" + r.name;
        assertThat(r.engine.submit(MirroredRequest.builder().method("GET").rawTarget(path)
            .build()).accepted()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> shadowB.paths.contains(path));
      }
      // A change is refused, on every replica it enters through, and applied on none.
      for (Replica r : List.of(one, two)) {
        HttpResponse<String> refused = r.post("/routes/default/mirror",
            change(shadowA.address(), 7));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(JSON.readTree(refused.body()).path("error").asText())
            .contains("the control store kafka://" + bootstrap + "/" + topic)
            .contains("applied on no replica");
        JsonNode routes = r.routes();
        assertThat(routes.path("configVersion").asLong()).isEqualTo(before);
        assertThat(routes.path("routes").get(0).path("mirror").path("percentage").asInt())
            .isEqualTo(100);
      }
      // A replica that starts now cannot read the store: it starts (bounded), mirroring held.
      Replica late = replica("late", topic);
      assertThat(late.engine.isEnabled()).isFalse();
      assertThat(late.engine.submit(MirroredRequest.builder().method("GET")
          .rawTarget("/late-before-it-read").build()).accepted()).isFalse();
      assertThat(late.routes().path("fleet").path("caughtUp").asBoolean()).isFalse();
    } finally {
      broker.startup();
    }
    cluster.waitForReadyBrokers();
    // The late replica reads the store as it returns, and mirrors with the fleet's settings.
    Replica late = replicas.get(replicas.size() - 1);
    await().atMost(Duration.ofSeconds(30)).until(late.engine::isEnabled);
    assertThat(late.engine.configVersion()).isEqualTo(before);
    assertThat(late.engine.policy("default").targets().get(0).port())
        .isEqualTo(shadowB.server.getPort());
    assertThat(shadowB.paths).doesNotContain("/late-before-it-read");
    // Back: a change goes through again and every replica runs it; none ran the refused ones.
    List<Replica> fleet = List.of(one, two, late);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
        one.post("/routes/default/mirror", change(shadowA.address(), 30)).statusCode())
        .isEqualTo(200));
    long after = one.engine.configVersion();
    assertThat(after).isGreaterThan(before);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> fleet.stream().allMatch(r -> r.engine.configVersion() == after));
    for (Replica r : fleet) {
      JsonNode route = r.routes().path("routes").get(0).path("mirror");
      assertThat(route.path("mirrorPort").asInt()).isEqualTo(shadowA.server.getPort());
      assertThat(route.path("percentage").asInt()).isEqualTo(30);
    }
  }
}
