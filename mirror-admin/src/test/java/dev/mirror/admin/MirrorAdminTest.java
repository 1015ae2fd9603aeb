package dev.mirror.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The endpoint without a container: every answer the issue specifies, on a real engine. */
class MirrorAdminTest {

  private static final String TOKEN = "s3cret-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  private MirrorEngine engine;
  private MirrorAdmin admin;

  @BeforeEach
  void start() {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("mirror.host", "http://127.0.0.1:9");
    keys.put("mirror.set-header.X-Api-Key", "copy-secret");
    // The shadows the tests move the route to: a change may go to these and the start-up one.
    keys.put("mirror.allowed-targets",
        "http://ai-service-v2-staging.internal:8000,https://shadow:8443");
    engine = MirrorConfig.parse(keys).newEngine();
    admin = new MirrorAdmin(() -> engine, TOKEN);
  }

  @AfterEach
  void stop() {
    engine.close();
  }

  private AdminReply call(String method, String path, String body) {
    return admin.handle(new AdminCall(method, path, "Bearer " + TOKEN,
        body == null ? null : "application/json",
        body == null ? null : body.getBytes(StandardCharsets.UTF_8), "203.0.113.5"));
  }

  private static JsonNode json(AdminReply reply) throws IOException {
    return JSON.readTree(reply.body());
  }

  @Test
  void seedsRequest_switchesTheRouteToTheNewShadowAtHalf() throws IOException {
    AdminReply reply = call("POST", "/routes/default/mirror", "{\"mirrorHost\":"
        + " \"http://ai-service-v2-staging.internal\", \"mirrorPort\": 8000, \"percentage\": 50,"
        + " \"synchronous\": false, \"logResponses\": true}");
    assertThat(reply.status()).isEqualTo(200);
    JsonNode route = json(reply);
    assertThat(route.path("mirror").path("mirrorHost").asText())
        .isEqualTo("http://ai-service-v2-staging.internal");
    assertThat(route.path("mirror").path("mirrorPort").asInt()).isEqualTo(8000);
    assertThat(route.path("mirror").path("percentage").asInt()).isEqualTo(50);
    assertThat(route.path("mirror").path("logResponses").asBoolean()).isTrue();
    MirrorPolicy policy = engine.policy("default");
    assertThat(policy.targets()).singleElement().satisfies(t -> {
      assertThat(t.address()).isEqualTo("http://ai-service-v2-staging.internal:8000");
      assertThat(t.name()).isEqualTo("default");
    });
    assertThat(policy.logResponses()).isTrue();
    assertThat(policy.sampler()).isEqualTo(dev.mirror.api.Sampler.ratio(0.5));
  }

  @Test
  void seedsRequest_onARouteWithSeveralTargets_is409NamingThem_andChangesNothing()
      throws IOException {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("mirror.targets", "staging,perf");
    keys.put("mirror.target.staging.host", "http://127.0.0.1:9");
    keys.put("mirror.target.perf.host", "http://127.0.0.1:10");
    keys.put("mirror.allowed-targets", "http://ai-service-v2-staging.internal:8000");
    try (MirrorEngine two = MirrorConfig.parse(keys).newEngine()) {
      MirrorAdmin endpoint = new MirrorAdmin(() -> two, TOKEN);
      MirrorConfig before = two.config().orElseThrow();
      AdminReply reply = endpoint.handle(new AdminCall("POST", "/routes/default/mirror",
          "Bearer " + TOKEN, "application/json", ("{\"mirrorHost\":"
              + " \"http://ai-service-v2-staging.internal\", \"mirrorPort\": 8000,"
              + " \"percentage\": 50}").getBytes(StandardCharsets.UTF_8), "x"));
      assertThat(reply.status()).isEqualTo(409);
      assertThat(json(reply).path("field").asText()).isEqualTo("mirrorHost");
      assertThat(json(reply).path("error").asText())
          .startsWith("mirrorHost: route default mirrors to 2 targets (staging, perf), must name"
              + " the one to change: {\"mirror.target.staging.host\": \"...\"}");
      assertThat(two.config()).contains(before);
      // One named target changes alone; the other keeps going.
      AdminReply one = endpoint.handle(new AdminCall("POST", "/routes/default/mirror",
          "Bearer " + TOKEN, "application/json", ("{\"mirror.target.staging.host\":"
              + " \"http://ai-service-v2-staging.internal:8000\", \"percentage\": 50}")
              .getBytes(StandardCharsets.UTF_8), "x"));
      assertThat(one.status()).as(new String(one.body(), StandardCharsets.UTF_8))
          .isEqualTo(200);
      assertThat(two.policy("default").targets()).extracting(t -> t.name() + "=" + t.address())
          .containsExactly("staging=http://ai-service-v2-staging.internal:8000",
              "perf=http://127.0.0.1:10");
      assertThat(two.policy("default").sampler()).isEqualTo(dev.mirror.api.Sampler.ratio(0.5));
      // A flat target key names no target: every target of the route takes it.
      AdminReply flat = endpoint.handle(new AdminCall("POST", "/routes/default/mirror",
          "Bearer " + TOKEN, "application/json", "{\"mirror.timeout.read\": \"3s\"}"
              .getBytes(StandardCharsets.UTF_8), "x"));
      assertThat(flat.status()).as(new String(flat.body(), StandardCharsets.UTF_8))
          .isEqualTo(200);
      assertThat(two.policy("default").targets()).extracting(t -> t.readTimeout())
          .containsExactly(java.time.Duration.ofSeconds(3), java.time.Duration.ofSeconds(3));
    }
  }

  @Test
  void apisixAttributesAndFlatKeys_areAcceptedToo() throws IOException {
    AdminReply reply = call("POST", "/routes/default/mirror", "{\"host\": \"https://shadow:8443\","
        + " \"path\": \"/v2\", \"path_concat_mode\": \"prefix\", \"sample_ratio\": 0.25,"
        + " \"mirror.timeout.read\": \"3s\"}");
    assertThat(reply.status()).as(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    MirrorPolicy policy = engine.policy("default");
    assertThat(policy.targets().get(0).address()).isEqualTo("https://shadow:8443");
    assertThat(policy.targets().get(0).readTimeout()).hasSeconds(3);
    assertThat(policy.rewrite().pathOverride()).isEqualTo("/v2");
    assertThat(json(reply).path("settings").path("mirror.target.default.timeout.read").asText())
        .isEqualTo("3s");
  }

  @Test
  void deleteStopsTheRoute_keepingItsSettings_andEnableBringsItBack() throws IOException {
    call("POST", "/routes/default/mirror", "{\"percentage\": 30}");
    assertThat(call("DELETE", "/routes/default/mirror", null).status()).isEqualTo(200);
    assertThat(engine.policy("default").enabled()).isFalse();
    assertThat(json(call("GET", "/routes", null)).path("routes").get(0).path("mirror")
        .path("percentage").asInt()).isZero();
    AdminReply on = call("POST", "/routes/default/mirror/enable", null);
    assertThat(on.status()).isEqualTo(200);
    assertThat(json(on).path("mirror").path("percentage").asInt()).isEqualTo(30);
    assertThat(engine.policy("default").enabled()).isTrue();
  }

  @Test
  void percentageZero_meansOff() {
    assertThat(call("POST", "/routes/default/mirror", "{\"percentage\": 0}").status())
        .isEqualTo(200);
    assertThat(engine.policy("default").enabled()).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"percentage\": 150} | percentage | percentage: was 150, must be an integer in [0, 100]",
      "{\"percentage\": 50.5} | percentage | percentage: was 50.5, must be an integer in [0, 100]",
      "{\"mirrorPort\": 8000} | mirrorPort | mirrorPort: was 8000, must be given with mirrorHost",
      "{\"mirrorHost\": \"ai-service.internal\", \"mirrorPort\": 8000} | mirrorHost | mirrorHost: was ai-service.internal, must be scheme://host with the scheme written out, such as https://ai-service.internal",
      "{\"mirrorHost\": \"http://a b\"} | mirrorHost | mirrorHost: was 'http://a b', must be scheme://host[:port] with scheme http, https or one a transport serves (grpc, grpcs with mirror-grpc), and no path, query or trailing slash; or file:///<directory> (mirror-capture)",
      "{\"synchronous\": \"yes\"} | synchronous | synchronous: was \"yes\", must be true or false",
      "{\"sample_ratio\": 2} | sample_ratio | sample_ratio: was 2, must be in [0.00001, 1]",
      "{\"mirror.timeout.read\": \"2h\"} | mirror.timeout.read | mirror.timeout.read: was 2h, must be a duration such as 500ms, 2s or 1m, more than 0 and at most 1h",
      "{\"mirror.transport\": \"jdk\"} | mirror.transport | mirror.transport: cannot change while the engine runs (restart to change it)",
      "{\"color\": \"red\"} | color | color: unknown field, must be one of mirrorHost, mirrorPort, percentage, synchronous, logResponses, host, path, path_concat_mode, sample_ratio, or a mirror.* key",
  })
  void badField_is400_namingTheField_inTheStartUpWording(String body, String field,
      String message) throws IOException {
    MirrorConfig before = engine.config().orElseThrow();
    AdminReply reply = call("POST", "/routes/default/mirror", body);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(json(reply).path("field").asText()).isEqualTo(field);
    assertThat(json(reply).path("error").asText()).isEqualTo(message);
    assertThat(engine.config()).contains(before);
  }

  @Test
  void refusals_answerAsSpecified() throws IOException {
    AdminReply unknownRoute = call("POST", "/routes/checkout/mirror", "{}");
    assertThat(unknownRoute.status()).isEqualTo(404);
    assertThat(json(unknownRoute).path("error").asText())
        .isEqualTo("no route named checkout, must be one of [default]");
    AdminReply notJson = admin.handle(new AdminCall("POST", "/routes/default/mirror",
        "Bearer " + TOKEN, "text/plain", "percentage=5".getBytes(StandardCharsets.UTF_8), "x"));
    assertThat(notJson.status()).isEqualTo(415);
    AdminReply tooLarge = call("POST", "/routes/default/mirror",
        "{\"path\": \"/" + "a".repeat(MirrorAdmin.MAX_BODY_BYTES) + "\"}");
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(call("POST", "/routes/default/mirror", "{not json").status()).isEqualTo(400);
    assertThat(call("POST", "/routes/default/mirror", "[1]").status()).isEqualTo(400);
    assertThat(call("GET", "/nowhere", null).status()).isEqualTo(404);
    AdminReply wrongMethod = call("PUT", "/routes", null);
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.headers()).containsEntry("Allow", "GET");
  }

  @Test
  void readme_tellsTheStatusOfABodyThatIsNotJson_asTheEndpointAnswersIt() throws IOException {
    // A body sent as something else than JSON is 415; a JSON body that does not parse is 400.
    AdminReply notJsonType = admin.handle(new AdminCall("POST", "/routes/default/mirror",
        "Bearer " + TOKEN, "text/plain", "{}".getBytes(StandardCharsets.UTF_8), "x"));
    assertThat(notJsonType.status()).isEqualTo(415);
    AdminReply malformed = call("POST", "/routes/default/mirror", "{\"percentage\": ");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(json(malformed).path("error").asText()).startsWith("the body is not valid JSON");
    String readme = Files.readString(Path.of("..", "README.md")).replaceAll("\\s+", " ");
    assertThat(readme).contains("a body sent with another `Content-Type` than JSON `415`;"
        + " JSON that does not parse `400`");
  }

  @Test
  void answers_areIndentedOnRequest() throws IOException {
    AdminReply compact = call("GET", "/routes", null);
    assertThat(new String(compact.body(), StandardCharsets.UTF_8)).doesNotContain("\n");
    assertThat(compact.headers()).as("the engine's state is never kept by a cache")
        .containsEntry("Cache-Control", "no-store").containsEntry("X-Content-Type-Options",
            "nosniff");
    AdminReply pretty = admin.handle(new AdminCall("GET", "/routes", "Bearer " + TOKEN, null,
        null, "x", "pretty"));
    String text = new String(pretty.body(), StandardCharsets.UTF_8);
    assertThat(text).startsWith("{\n  \"routes\" : [").endsWith("}\n");
    assertThat(JSON.readTree(pretty.body())).isEqualTo(json(compact));
    AdminReply refused = admin.handle(new AdminCall("GET", "/routes", null, null, null, "x",
        "a=1&pretty=true"));
    assertThat(refused.status()).isEqualTo(401);
    assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("\n  \"error\"");
  }

  @Test
  void security_noToken401_wrongToken403_noneConfiguredRefusesAll() {
    AdminReply none = admin.handle(new AdminCall("GET", "/routes", null, null, null, "x"));
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"mirror\"");
    assertThat(admin.handle(new AdminCall("GET", "/routes", "Basic dTpw", null, null, "x"))
        .status()).isEqualTo(401);
    assertThat(admin.handle(new AdminCall("GET", "/routes", "Bearer nope", null, null, "x"))
        .status()).isEqualTo(403);
    MirrorAdmin closed = new MirrorAdmin(() -> engine, null);
    assertThat(closed.handle(new AdminCall("GET", "/routes", "Bearer " + TOKEN, null, null, "x"))
        .status()).isEqualTo(403);
  }

  @Test
  void answers_neverCarryTheTokenOrHeaderValuesSetOnCopies() {
    for (String path : new String[] {"/routes", "/stats"}) {
      String body = new String(call("GET", path, null).body(), StandardCharsets.UTF_8);
      assertThat(body).doesNotContain(TOKEN).doesNotContain("copy-secret");
    }
    assertThat(new String(call("GET", "/routes", null).body(), StandardCharsets.UTF_8))
        .contains("\"mirror.set-header.X-Api-Key\":\"[masked]\"");
  }

  @Test
  void stats_showTheHierarchy() throws IOException {
    JsonNode stats = json(call("GET", "/stats", null));
    assertThat(stats.path("policies").get(0).path("name").asText()).isEqualTo("default");
    assertThat(stats.path("policies").get(0).path("targets").get(0).path("dropped")
        .has("QUEUE_FULL")).isTrue();
  }

  @Test
  void token_fromAFile_orRefusedWhenAmbiguousOrEmpty(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("token");
    Files.writeString(file, "from-file\n");
    assertThat(MirrorAdmin.token(Map.of(MirrorAdmin.TOKEN_FILE, file.toString())))
        .isEqualTo("from-file");
    assertThat(MirrorAdmin.token(Map.of())).isNull();
    assertThatThrownBy(() -> MirrorAdmin.token(Map.of(MirrorAdmin.TOKEN, "a",
        MirrorAdmin.TOKEN_FILE, file.toString())))
        .hasMessage("mirror.admin.token-file: must not be set together with mirror.admin.token"
            + " (use one of them)");
    assertThatThrownBy(() -> MirrorAdmin.token(Map.of(MirrorAdmin.TOKEN, " ")))
        .hasMessage("mirror.admin.token: holds an empty token, must hold a secret");
  }

  @Test
  void readme_documentsEveryAdminKey() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    Set<String> documented = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| `(mirror\\.admin\\.[^`]+)` \\|").matcher(readme);
    while (row.find()) {
      documented.add(row.group(1));
    }
    assertThat(documented).isEqualTo(new TreeSet<>(MirrorAdmin.KEYS));
  }
}
