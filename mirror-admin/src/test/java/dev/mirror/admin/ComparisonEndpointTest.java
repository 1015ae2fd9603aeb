package dev.mirror.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mirror.api.Decision;
import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Observation;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/** GET /comparisons (JSON) and /comparisons.html (a page, every value escaped). */
class ComparisonEndpointTest {

  private static final String TOKEN = "s3cret-token";

  @Test
  void theReport_isServedAsJsonAndAsAPage() throws Exception {
    try (MockWebServer shadow = new MockWebServer()) {
      shadow.enqueue(new MockResponse.Builder().code(200)
          .addHeader("Content-Type", "application/json")
          .body("{\"status\":\"<b>PAID</b>\",\"total\":10}").build());
      shadow.start(InetAddress.getByName("127.0.0.1"), 0);
      try (MirrorEngine engine = MirrorConfig.parse(Map.of(
          "mirror.host", "http://127.0.0.1:" + shadow.getPort(),
          "mirror.compare", "true")).newEngine()) {
        MirroredRequest request = MirroredRequest.builder().method("GET").rawTarget("/orders/42")
            .build();
        Decision decision = engine.decide(request);
        engine.submit(decision, request);
        engine.answered(decision, Observation.answer("primary", 200,
            Headers.of("Content-Type", "application/json"), ByteBuffer.wrap(
                "{\"status\":\"paid\",\"total\":10}".getBytes(StandardCharsets.UTF_8)), true, 1));
        await().atMost(Duration.ofSeconds(10))
            .until(() -> engine.comparisons().policies().get(0).compared() == 1);

        MirrorAdmin admin = new MirrorAdmin(() -> engine, TOKEN);
        AdminReply json = admin.handle(new AdminCall("GET", "/comparisons", "Bearer " + TOKEN,
            null, null, "203.0.113.5"));
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.contentType()).isEqualTo("application/json");
        JsonNode policy = new ObjectMapper().readTree(json.body()).get("policies").get(0);
        assertThat(policy.get("policy").asText()).isEqualTo("default");
        assertThat(policy.get("mismatched").asLong()).isEqualTo(1);
        JsonNode endpoint = policy.get("endpoints").get(0);
        assertThat(endpoint.get("endpoint").asText()).isEqualTo("GET /orders/{id}");
        assertThat(endpoint.get("fields").get(0).get("field").asText()).isEqualTo("/status");
        assertThat(endpoint.get("fields").get(0).get("kinds").get("VALUE").asLong()).isEqualTo(1);

        AdminReply page = admin.handle(new AdminCall("GET", "/comparisons.html",
            "Bearer " + TOKEN, null, null, "203.0.113.5"));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        String html = new String(page.body(), StandardCharsets.UTF_8);
        assertThat(html).contains("<code>GET /orders/{id}</code>", "<code>/status</code>",
            "&quot;&lt;b&gt;PAID&lt;/b&gt;&quot;").doesNotContain("<b>PAID");

        AdminReply anonymous = admin.handle(new AdminCall("GET", "/comparisons.html", null, null,
            null, "203.0.113.5"));
        assertThat(anonymous.status()).isEqualTo(401);
      }
    }
  }

  private static String basic(String user, String password) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void thePage_opensInABrowser_withBasicCredentials_forReadingOnly() {
    try (MirrorEngine engine = MirrorConfig.parse(Map.of("mirror.host", "http://127.0.0.1:9",
        "mirror.compare", "true")).newEngine()) {
      MirrorAdmin admin = new MirrorAdmin(() -> engine, TOKEN);
      dev.mirror.api.Sampler before = engine.policy("default").sampler();
      // A browser first asks without credentials: the 401 makes it prompt for Basic ones.
      AdminReply anonymous = admin.handle(new AdminCall("GET", "/comparisons.html", null, null,
          null, "203.0.113.5"));
      assertThat(anonymous.status()).isEqualTo(401);
      assertThat(anonymous.headers().get("WWW-Authenticate")).startsWith("Basic realm=\"mirror\"");
      AdminReply page = admin.handle(new AdminCall("GET", "/comparisons.html",
          basic("anyone", TOKEN), null, null, "203.0.113.5"));
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.contentType()).startsWith("text/html");
      assertThat(page.headers()).containsEntry("Cache-Control", "no-store")
          .containsEntry("X-Frame-Options", "DENY");
      // A wrong password prompts again; it never passes.
      AdminReply wrong = admin.handle(new AdminCall("GET", "/comparisons.html",
          basic("anyone", "guess"), null, null, "203.0.113.5"));
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.headers().get("WWW-Authenticate")).startsWith("Basic");
      assertThat(admin.handle(new AdminCall("GET", "/comparisons.html", "Basic !!!", null, null,
          "x")).status()).isEqualTo(401);
      // The JSON views read with Basic too; nothing is changed with it (a browser sends it on
      // its own, even for another site's form): a change needs the Bearer header.
      assertThat(admin.handle(new AdminCall("GET", "/stats", basic("", TOKEN), null, null, "x"))
          .status()).isEqualTo(200);
      AdminReply off = admin.handle(new AdminCall("DELETE", "/routes/default/mirror",
          basic("anyone", TOKEN), null, null, "x"));
      assertThat(off.status()).isEqualTo(403);
      assertThat(engine.policy("default").enabled()).isTrue();
      AdminReply change = admin.handle(new AdminCall("POST", "/routes/default/mirror",
          basic("anyone", TOKEN), "application/json",
          "{\"percentage\": 5}".getBytes(StandardCharsets.UTF_8), "x"));
      assertThat(change.status()).isEqualTo(403);
      assertThat(engine.policy("default").sampler()).isEqualTo(before);
    }
  }
}
