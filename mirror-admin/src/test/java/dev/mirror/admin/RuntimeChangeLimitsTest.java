package dev.mirror.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 28: the token is a key to mirroring, not to the network, the disk or the safeguards.
 * A change through the endpoint stays within what the start-up configuration allowed; each
 * refusal is a 400 naming the field and the rule, logged with the caller, and changes nothing.
 */
class RuntimeChangeLimitsTest {

  private static final String TOKEN = "limits-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  private MirrorEngine engine;
  private MirrorAdmin admin;

  @BeforeEach
  void start() {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("mirror.targets", "staging,capture,bus");
    keys.put("mirror.target.staging.host", "https://staging.internal:8443");
    keys.put("mirror.target.capture.host", "file://" + dir.resolve("captures"));
    keys.put("mirror.target.bus.host", "kafka://127.0.0.1:9092");
    keys.put("mirror.allowed-targets", "http://shadow-2.internal:8080");
    keys.put("mirror.mask-headers", "X-Api-Key");
    keys.put("mirror.redact-json-fields", "/password");
    keys.put("mirror.scrub-patterns", "card,employee");
    keys.put("mirror.scrub-pattern.employee", "EMP-[0-9]{5}");
    keys.put("mirror.methods", "GET,HEAD,POST");
    engine = MirrorConfig.parse(keys).newEngine();
    admin = new MirrorAdmin(() -> engine, TOKEN);
  }

  @AfterEach
  void stop() {
    engine.close();
  }

  private AdminReply change(String body) {
    return admin.handle(new AdminCall("POST", "/routes/default/mirror", "Bearer " + TOKEN,
        "application/json", body.getBytes(StandardCharsets.UTF_8), "203.0.113.5"));
  }

  private static JsonNode json(AdminReply reply) throws IOException {
    return JSON.readTree(reply.body());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // Where copies go.
      "{\"mirrorHost\": \"http://169.254.169.254\", \"mirrorPort\": 80} | mirrorHost | mirrorHost: was http://169.254.169.254:80, must be the scheme, host and port of a start-up target, or of an address listed in mirror.allowed-targets",
      "{\"mirrorHost\": \"http://127.0.0.1\", \"mirrorPort\": 15000} | mirrorHost | mirrorHost: was http://127.0.0.1:15000, must be the scheme, host and port of a start-up target, or of an address listed in mirror.allowed-targets",
      "{\"mirrorHost\": \"https://staging.internal\", \"mirrorPort\": 9443} | mirrorHost | mirrorHost: was https://staging.internal:9443, must be the scheme, host and port of a start-up target, or of an address listed in mirror.allowed-targets",
      "{\"host\": \"http://staging.internal:8443\"} | host | host: was http://staging.internal:8443, must be the scheme, host and port of a start-up target, or of an address listed in mirror.allowed-targets",
      "{\"mirror.host\": \"kafka://attacker.example:9092\"} | mirror.host | mirror.host: was kafka://attacker.example:9092, must be the scheme, host and port of a start-up target, or of an address listed in mirror.allowed-targets",
      "{\"mirror.host\": \"file:///tmp/elsewhere\"} | mirror.host | mirror.host: was file:///tmp/elsewhere, must be a directory the start-up configuration captures to, or one listed in mirror.allowed-targets",
      // What is read.
      "{\"mirror.tls.ca-file\": \"/etc/passwd\"} | mirror.tls.ca-file | mirror.tls.ca-file: was /etc/passwd, must be a file the start-up configuration names for TLS material (a runtime change reads no other file)",
      "{\"mirror.tls.key-store\": \"/dev/zero\"} | mirror.tls.key-store | mirror.tls.key-store: was /dev/zero, must be a file the start-up configuration names for TLS material (a runtime change reads no other file)",
      // Safeguards are not relaxed.
      "{\"mirror.redact-credentials\": false} | mirror.redact-credentials | mirror.redact-credentials: was false, must be true, as at start-up (a runtime change may tighten a safeguard, never relax it)",
      "{\"mirror.mask-headers\": \"X-Other\"} | mirror.mask-headers | mirror.mask-headers: was X-Other, must be a list that still hides X-Api-Key (masked or removed), as at start-up (a runtime change may tighten a safeguard, never relax it)",
      "{\"mirror.redact-json-fields\": \"/other\"} | mirror.redact-json-fields | mirror.redact-json-fields: was /other, must be a list that still holds /password, as at start-up (a runtime change may tighten a safeguard, never relax it)",
      "{\"mirror.scrub-patterns\": \"card\"} | mirror.scrub-patterns | mirror.scrub-patterns: was card, must be a list that still holds employee, as at start-up (a runtime change may tighten a safeguard, never relax it)",
      "{\"mirror.scrub-pattern.employee\": \"NEVER\"} | mirror.scrub-pattern.employee | mirror.scrub-pattern.employee: was NEVER, must be the expression it had at start-up, as at start-up (a runtime change may tighten a safeguard, never relax it)",
      "{\"mirror.scrub-on-failure\": \"send\"} | mirror.scrub-on-failure | mirror.scrub-on-failure: was send, must be drop, as at start-up (a runtime change may tighten a safeguard, never relax it)",
      "{\"mirror.max-body-bytes\": 67108864} | mirror.max-body-bytes | mirror.max-body-bytes: was 67108864, must be at most 65536, as at start-up (a runtime change may tighten a safeguard, never relax it)",
      "{\"mirror.methods\": \"GET,DELETE\"} | mirror.methods | mirror.methods: was DELETE,GET, must be some of GET,HEAD,POST, as at start-up (a runtime change may tighten a safeguard, never relax it)",
      "{\"mirror.max-in-flight-bytes\": 1073741824} | mirror.max-in-flight-bytes | mirror.max-in-flight-bytes: was 1073741824, must be at most 16777216, as at start-up (a runtime change may tighten a safeguard, never relax it)",
      "{\"mirror.tls.verify-hostname\": false} | mirror.tls.verify-hostname | mirror.tls.verify-hostname: was false, must be true unless mirror.tls.ca-file or mirror.tls.trust-store names a private trust anchor",
  })
  void aChangeBeyondStartUp_is400_namingTheFieldAndTheRule_loggedWithTheCaller_andChangesNothing(
      String body, String field, String message) throws IOException {
    MirrorConfig before = engine.config().orElseThrow();
    AdminReply[] reply = new AdminReply[1];
    String log = stderrOf(() -> reply[0] = change(body));
    assertThat(reply[0].status()).as(new String(reply[0].body(), StandardCharsets.UTF_8))
        .isEqualTo(400);
    assertThat(json(reply[0]).path("field").asText()).isEqualTo(field);
    assertThat(json(reply[0]).path("error").asText()).isEqualTo(message);
    assertThat(engine.config()).contains(before);
    assertThat(log).contains("mirror admin: a change of route default by 203.0.113.5 was"
        + " refused: " + message);
  }

  @Test
  void aChangeWithinStartUp_isApplied_tighteningAndMovingAmongAllowedTargets() {
    AdminReply tighter = change("{\"mirror.mask-headers\": \"X-Api-Key,X-Other\","
        + " \"mirror.max-body-bytes\": 1024, \"mirror.methods\": \"GET\","
        + " \"mirror.redact-json-fields\": \"/password,/card\","
        + " \"mirror.tls.protocols\": \"TLSv1.3\"}");
    assertThat(tighter.status()).as(new String(tighter.body(), StandardCharsets.UTF_8))
        .isEqualTo(200);
    assertThat(engine.policy("default").maxBodyBytes()).isEqualTo(1024);

    // The route has three targets: the seed's single mirrorHost is refused (409, issue 34), so
    // one target moves by its own key, among the allowed addresses.
    AdminReply seeds = change("{\"mirrorHost\": \"http://shadow-2.internal\","
        + " \"mirrorPort\": 8080}");
    assertThat(seeds.status()).isEqualTo(409);
    assertThat(engine.policy("default").targets()).hasSize(3);
    AdminReply listed = change("{\"mirror.target.staging.host\":"
        + " \"http://shadow-2.internal:8080\"}");
    assertThat(listed.status()).as(new String(listed.body(), StandardCharsets.UTF_8))
        .isEqualTo(200);
    assertThat(engine.policy("default").targets().get(0).address())
        .isEqualTo("http://shadow-2.internal:8080");

    AdminReply anotherStartUpTarget = change("{\"mirror.target.staging.host\":"
        + " \"kafka://127.0.0.1:9092\"}");
    assertThat(anotherStartUpTarget.status()).isEqualTo(200);
    AdminReply backToStaging = change("{\"mirror.target.staging.host\":"
        + " \"https://STAGING.internal:8443\"}");
    assertThat(backToStaging.status()).isEqualTo(200);

    AdminReply relaxedBackToStartUp = change("{\"mirror.max-body-bytes\": 65536,"
        + " \"mirror.methods\": \"GET,HEAD,POST\"}");
    assertThat(relaxedBackToStartUp.status()).as("back up to the start-up bound is allowed")
        .isEqualTo(200);
  }

  @Test
  void requireHttps_setAtStartUp_cannotBeSwitchedOff() throws IOException {
    try (MirrorEngine https = MirrorConfig.parse(Map.of("mirror.host",
        "https://staging.internal:8443", "mirror.require-https", "true")).newEngine()) {
      MirrorAdmin endpoint = new MirrorAdmin(() -> https, TOKEN);
      AdminReply reply = endpoint.handle(new AdminCall("POST", "/routes/default/mirror",
          "Bearer " + TOKEN, "application/json",
          "{\"mirror.require-https\": false}".getBytes(StandardCharsets.UTF_8), "x"));
      assertThat(reply.status()).isEqualTo(400);
      assertThat(json(reply).path("error").asText()).isEqualTo("mirror.require-https: was"
          + " false, must be true, as at start-up (a runtime change may tighten a safeguard,"
          + " never relax it)");
    }
  }

  @Test
  void optedOutAtStartUp_aSafeguardMayBeTurnedOnAndOffAgain() {
    try (MirrorEngine open = MirrorConfig.parse(Map.of("mirror.host",
        "http://staging.internal:8080", "mirror.redact-credentials", "false")).newEngine()) {
      MirrorAdmin endpoint = new MirrorAdmin(() -> open, TOKEN);
      for (String value : new String[] {"true", "false"}) {
        AdminReply reply = endpoint.handle(new AdminCall("POST", "/routes/default/mirror",
            "Bearer " + TOKEN, "application/json", ("{\"mirror.redact-credentials\": " + value
                + "}").getBytes(StandardCharsets.UTF_8), "x"));
        assertThat(reply.status()).isEqualTo(200);
      }
    }
  }

  private static String stderrOf(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
