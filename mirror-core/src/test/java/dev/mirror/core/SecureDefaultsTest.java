package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.testing.Shadow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 28: what copies carry, and what configurations show, when nobody said otherwise. */
class SecureDefaultsTest {

  private Shadow shadow;
  private MirrorEngine engine;

  @BeforeEach
  void start() throws Exception {
    shadow = Shadow.answering(200);
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
    shadow.close();
  }

  private static MirroredRequest withCredentials() {
    return MirroredRequest.builder().method("GET").rawTarget("/orders")
        .headers(Headers.of("Authorization", "Bearer user-tok-1", "Cookie", "SESSION=s1",
            "Set-Cookie", "id=2", "Proxy-Authorization", "Basic cHJveHk6cHc=", "X-Other", "kept"))
        .build();
  }

  private static void assertMasked(RecordedRequest copy) {
    assertThat(copy.getHeaders().get("Authorization")).isEqualTo("[masked]");
    assertThat(copy.getHeaders().get("Cookie")).isEqualTo("[masked]");
    assertThat(copy.getHeaders().get("Set-Cookie")).isEqualTo("[masked]");
    assertThat(copy.getHeaders().get("Proxy-Authorization")).as("hop-by-hop: never sent")
        .isNull();
    assertThat(copy.getHeaders().get("X-Other")).isEqualTo("kept");
  }

  @Test
  void credentials_areMaskedInCopies_byDefault_fromKeysAndFromCode() throws Exception {
    engine = MirrorConfig.parse(Map.of("mirror.host", shadow.address())).newEngine();
    engine.submit(withCredentials());
    assertMasked(shadow.take());
    engine.close();

    engine = MirrorEngine.builder().policy(MirrorPolicy.to(shadow.address()).build()).build();
    engine.submit(withCredentials());
    assertMasked(shadow.take());
  }

  @Test
  void optingOut_sendsCredentialsAsReceived_andTheStartUpLogSaysSo() throws Exception {
    String log = stderrOf(() -> engine = MirrorConfig.parse(Map.of("mirror.host",
        shadow.address(), "mirror.redact-credentials", "false")).newEngine());
    assertThat(log).contains("mirror policy default: copies carry the clients' credentials"
        + " (Authorization, Proxy-Authorization, Cookie, Set-Cookie) as received, to [default]"
        + " (mirror.redact-credentials=false)");
    engine.submit(withCredentials());
    RecordedRequest copy = shadow.take();
    assertThat(copy.getHeaders().get("Authorization")).isEqualTo("Bearer user-tok-1");
    assertThat(copy.getHeaders().get("Cookie")).isEqualTo("SESSION=s1");

    String quiet = stderrOf(() -> MirrorConfig.parse(Map.of("mirror.host", shadow.address()))
        .newEngine().close());
    assertThat(quiet).doesNotContain("credentials");
  }

  @Test
  void secrets_neverShowInToString_norInTheErrorOfAChangeRefused() {
    MirrorConfig config = MirrorConfig.parse(Map.of("mirror.host", "http://127.0.0.1:9",
        "mirror.set-header.X-Api-Key", "copy-secret-1",
        "mirror.policies", "a",
        "mirror.policy.a.set-header.X-Shadow-Key", "copy-secret-2"));
    assertThat(config.toString()).doesNotContain("copy-secret-1").doesNotContain("copy-secret-2")
        .contains("mirror.policy.a.set-header.X-Api-Key=[masked]");
    assertThat(ConfigCatalog.isSecret("mirror.kafka.sasl.jaas.config")).isTrue();
    assertThat(ConfigCatalog.isSecret("mirror.kafka.ssl.keystore.password")).isTrue();
    assertThat(ConfigCatalog.isSecret("mirror.kafka.ssl.key.password")).isTrue();
    assertThat(ConfigCatalog.isSecret("mirror.target.t.tls.key-store-password")).isTrue();
    assertThat(ConfigCatalog.isSecret("mirror.admin.token")).isTrue();
    assertThat(ConfigCatalog.isSecret("mirror.kafka.topic")).isFalse();
    assertThat(ConfigCatalog.isSecret("mirror.kafka.key")).isFalse();
    assertThat(ConfigCatalog.isSecret("mirror.host")).isFalse();
  }

  @Test
  void methodsSafe_mirrorsNoWrite_andCountsWhatItLeavesOut() {
    engine = MirrorConfig.parse(Map.of("mirror.host", shadow.address(), "mirror.methods",
        "safe")).newEngine();
    for (String method : new String[] {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH",
        "DELETE"}) {
      boolean mirrored = engine.decide(MirroredRequest.builder().method(method).rawTarget("/a")
          .build()).mirrored();
      assertThat(mirrored).as(method).isEqualTo(method.equals("GET") || method.equals("HEAD")
          || method.equals("OPTIONS"));
    }
    assertThat(engine.stats().policy("default").filteredOut()).isEqualTo(4);
    assertThat(engine.config().orElseThrow().toProperties())
        .containsEntry("mirror.policy.default.methods", "GET,HEAD,OPTIONS");
  }

  /** Runs and returns what was logged meanwhile (slf4j-simple writes to System.err). */
  static String stderrOf(Runnable action) {
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
