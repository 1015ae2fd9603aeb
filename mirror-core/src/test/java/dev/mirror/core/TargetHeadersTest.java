package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.TargetHeaders;
import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.testing.Shadow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28: with credentials masked by default, a shadow that needs its own gets them per target
 * ({@code mirror.target.<t>.headers.*}), a value read once from a file and never shown.
 */
class TargetHeadersTest {

  @TempDir
  Path dir;

  private Shadow a;
  private Shadow b;
  private MirrorEngine engine;

  @BeforeEach
  void start() throws Exception {
    a = Shadow.answering(200);
    b = Shadow.answering(200);
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
    a.close();
    b.close();
  }

  private Map<String, String> twoTargets(String... more) {
    Map<String, String> keys = new TreeMap<>();
    keys.put("mirror.targets", "a,b");
    keys.put("mirror.target.a.host", a.address());
    keys.put("mirror.target.b.host", b.address());
    for (int i = 0; i < more.length; i += 2) {
      keys.put(more[i], more[i + 1]);
    }
    return keys;
  }

  private static MirroredRequest request() {
    return MirroredRequest.builder().method("GET").rawTarget("/orders")
        .headers(Headers.of("Authorization", "Bearer user-tok-1", "X-Trace-Me", "t1",
            "X-Tenant", "acme"))
        .build();
  }

  private Path secretFile(String text) throws Exception {
    Path file = dir.resolve("shadow-token");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void eachTargetGetsItsOwnHeaders_afterThePolicysMasking() throws Exception {
    Path token = secretFile("Bearer shadow-a-tok\nignored second line\n");
    engine = MirrorConfig.parse(twoTargets(
        "mirror.target.a.headers.set-file.Authorization", token.toString(),
        "mirror.target.a.headers.set.X-Env", "shadow-a",
        "mirror.target.a.headers.remove", "X-Trace-Me",
        "mirror.target.b.headers.mask", "X-Tenant")).newEngine();
    engine.submit(request());

    RecordedRequest toA = a.take();
    assertThat(toA.getHeaders().get("Authorization")).isEqualTo("Bearer shadow-a-tok");
    assertThat(toA.getHeaders().get("X-Env")).isEqualTo("shadow-a");
    assertThat(toA.getHeaders().get("X-Trace-Me")).isNull();
    assertThat(toA.getHeaders().get("X-Tenant")).isEqualTo("acme");

    RecordedRequest toB = b.take();
    assertThat(toB.getHeaders().get("Authorization")).as("masked by default").isEqualTo("[masked]");
    assertThat(toB.getHeaders().get("X-Env")).isNull();
    assertThat(toB.getHeaders().get("X-Trace-Me")).isEqualTo("t1");
    assertThat(toB.getHeaders().get("X-Tenant")).isEqualTo("[masked]");
  }

  @Test
  void givenAboveTheTarget_appliesToEveryTarget_theMostSpecificWins() throws Exception {
    engine = MirrorConfig.parse(twoTargets("mirror.headers.set.X-Env", "shadow",
        "mirror.target.b.headers.set.X-Env", "shadow-b")).newEngine();
    engine.submit(request());
    assertThat(a.take().getHeaders().get("X-Env")).isEqualTo("shadow");
    assertThat(b.take().getHeaders().get("X-Env")).isEqualTo("shadow-b");
  }

  @Test
  void targetHeadersFromCode_andTheMarkerStaysLast() throws Exception {
    MirrorTarget target = MirrorTarget.builder("a", a.address())
        .headers(new TargetHeaders(List.of(), List.of(),
            Headers.of("Authorization", "Bearer code-tok", "X-Mirror-Request-Id", "forged")))
        .build();
    engine = MirrorEngine.builder().policy(MirrorPolicy.builder("p").target(target).build())
        .build();
    engine.submit(request());
    RecordedRequest copy = a.take();
    assertThat(copy.getHeaders().get("Authorization")).isEqualTo("Bearer code-tok");
    assertThat(copy.getHeaders().get("X-Mirror-Request-Id")).isNotEqualTo("forged");
    assertThat(target.toString()).doesNotContain("code-tok");
    assertThat(target.headers().toString()).doesNotContain("code-tok").contains("Authorization");
    assertThat(target.toBuilder().build()).isEqualTo(target);
  }

  @Test
  void theFileIsReadOnceAtStartUp_andItsValueIsNeverShown() throws Exception {
    Path token = secretFile("Bearer file-secret-9\n");
    MirrorConfig config = MirrorConfig.parse(twoTargets(
        "mirror.target.a.headers.set-file.Authorization", token.toString(),
        "mirror.target.a.headers.set.X-Api-Key", "inline-secret-7"));
    Files.delete(token);

    assertThat(config.toString()).doesNotContain("file-secret-9")
        .doesNotContain("inline-secret-7")
        .contains("mirror.policy.default.target.a.headers.set.Authorization="
            + ConfigCatalog.SECRET_SHOWN)
        .contains("mirror.policy.default.target.a.headers.set.X-Api-Key="
            + ConfigCatalog.SECRET_SHOWN);
    assertThat(ConfigCatalog.isSecret("mirror.target.t.headers.set.Authorization")).isTrue();
    assertThat(ConfigCatalog.isSecret("mirror.headers.set.Authorization")).isTrue();
    assertThat(ConfigCatalog.isSecret("mirror.target.t.headers.remove")).isFalse();
    // Printed as the value, so printing back and parsing again reads no file.
    Map<String, String> printed = config.toProperties();
    assertThat(printed).doesNotContainKey(
        "mirror.policy.default.target.a.headers.set-file.Authorization");
    MirrorConfig again = MirrorConfig.parse(printed);
    assertThat(again).isEqualTo(config);
    assertThat(again.policies().get(0).targets().get(0).headers().setHeaders()
        .first("Authorization")).isEqualTo("Bearer file-secret-9");

    engine = config.newEngine();
    engine.submit(request());
    assertThat(a.take().getHeaders().get("Authorization")).isEqualTo("Bearer file-secret-9");
  }

  @Test
  void aBadFile_failsStartUpNamingTheKey_neverShowingWhatItHolds() throws Exception {
    Path control = secretFile("Bearer leaked-1\u0007\n");
    assertThatThrownBy(() -> MirrorConfig.parse(twoTargets(
        "mirror.target.a.headers.set-file.Authorization", control.toString())))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessage("mirror.target.a.headers.set-file.Authorization: holds a control character,"
            + " must hold a header value on its first line");
    Path empty = dir.resolve("empty");
    Files.writeString(empty, "\n");
    assertThatThrownBy(() -> MirrorConfig.parse(twoTargets(
        "mirror.target.a.headers.set-file.Authorization", empty.toString())))
        .hasMessage("mirror.target.a.headers.set-file.Authorization: holds an empty first line,"
            + " must hold a header value on its first line");
    Path missing = dir.resolve("missing");
    assertThatThrownBy(() -> MirrorConfig.parse(twoTargets(
        "mirror.target.a.headers.set-file.Authorization", missing.toString())))
        .hasMessage("mirror.target.a.headers.set-file.Authorization: was " + missing
            + ", must be a readable regular file");
    Path big = dir.resolve("big");
    Files.write(big, new byte[ConfigParser.MAX_HEADER_FILE_BYTES + 1]);
    assertThatThrownBy(() -> MirrorConfig.parse(twoTargets(
        "mirror.target.a.headers.set-file.Authorization", big.toString())))
        .hasMessageContaining("must be a file of at most 8192 bytes");
    assertThatThrownBy(() -> MirrorConfig.parse(twoTargets(
        "mirror.target.a.headers.set-file.Authorization", secretFile("x").toString(),
        "mirror.target.a.headers.set.Authorization", "y")))
        .hasMessage("mirror.target.a.headers.set-file.Authorization: must not be set together"
            + " with mirror.target.a.headers.set.Authorization (use one of them)");
  }

  @Test
  void aRuntimeChange_readsNoHeaderFile_andKeepsWhatATargetHid() throws Exception {
    RuntimeLimits limits = RuntimeLimits.of(MirrorConfig.parse(twoTargets(
        "mirror.target.a.headers.mask", "X-Tenant")));
    Path file = secretFile("Bearer x");
    assertThatThrownBy(() -> limits.checkKeys(twoTargets(
        "mirror.policy.default.target.a.headers.set-file.X-Key", file.toString())))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessage("mirror.policy.default.target.a.headers.set-file.X-Key: was " + file
            + ", must be set at start-up only (a runtime change reads no file;"
            + " mirror.headers.set.<name> sets a value)");
    assertThatThrownBy(() -> limits.check(MirrorConfig.parse(twoTargets())))
        .hasMessage("mirror.policy.default.target.a.headers.mask: was '', must be a list that"
            + " still hides X-Tenant (masked or removed), as at start-up (a runtime change may"
            + " tighten a safeguard, never relax it)");
    assertThatCode(() -> limits.check(MirrorConfig.parse(twoTargets(
        "mirror.target.a.headers.remove", "X-Tenant", "mirror.target.b.headers.mask", "X-B"))))
        .doesNotThrowAnyException();
  }

  @Test
  void oneTargetMayGetTheClientsCredentials_asTheOperatorChose_theOthersStayMasked()
      throws Exception {
    String log = SecureDefaultsTest.stderrOf(() -> engine = MirrorConfig.parse(twoTargets(
        "mirror.target.a.headers.keep", "Authorization")).newEngine());
    assertThat(log).contains("copies to a carry [Authorization] as the clients sent them")
        .doesNotContain("user-tok-1");
    engine.submit(request());
    assertThat(a.take().getHeaders().get("Authorization")).isEqualTo("Bearer user-tok-1");
    assertThat(b.take().getHeaders().get("Authorization")).isEqualTo("[masked]");
    assertThat(MirrorConfig.parse(twoTargets("mirror.target.a.headers.keep", "Authorization"))
        .toProperties()).containsEntry("mirror.policy.default.target.a.headers.keep",
        "Authorization");
  }

  @Test
  void aRuntimeChange_mayKeepFewerHeadersAsSent_neverMore() throws Exception {
    RuntimeLimits limits = RuntimeLimits.of(MirrorConfig.parse(twoTargets(
        "mirror.target.a.headers.keep", "Authorization")));
    assertThatThrownBy(() -> limits.check(MirrorConfig.parse(twoTargets(
        "mirror.target.a.headers.keep", "Authorization,Cookie"))))
        .hasMessageStartingWith("mirror.policy.default.target.a.headers.keep: was"
            + " Authorization,Cookie, must be some of [Authorization]");
    assertThatThrownBy(() -> limits.check(MirrorConfig.parse(twoTargets(
        "mirror.target.b.headers.keep", "Authorization"))))
        .hasMessageStartingWith("mirror.policy.default.target.b.headers.keep");
    assertThatCode(() -> limits.check(MirrorConfig.parse(twoTargets())))
        .doesNotThrowAnyException();
  }
}
