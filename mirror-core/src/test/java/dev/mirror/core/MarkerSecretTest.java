package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.DropReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.testing.Shadow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28: the loop marker cannot be used from outside to switch mirroring off. With {@code
 * mirror.marker-secret} only a marker a mirror of the fleet made keeps a request from being
 * mirrored; without it, markers are honoured, counted and said in the log at a limited rate.
 */
class MarkerSecretTest {

  private static final String SECRET = "fleet-secret-0123456789";

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

  private static MirroredRequest withMarker(String marker) {
    return MirroredRequest.builder().method("GET").rawTarget("/probe")
        .headers(marker == null ? Headers.empty() : Headers.of("X-Mirror-Request-Id", marker))
        .build();
  }

  @Test
  void withASecret_onlyAMarkerTheFleetMade_stopsMirroring_anOutsideOneIsMirroredAndCounted()
      throws Exception {
    engine = MirrorConfig.parse(Map.of("mirror.host", shadow.address(),
        "mirror.marker-secret", SECRET)).newEngine();
    engine.submit(withMarker(null));
    String made = shadow.take().getHeaders().get("X-Mirror-Request-Id");
    assertThat(made).matches("[0-9a-f]{6}-[0-9a-f]+\\.[A-Za-z0-9_-]{22}");

    // Another instance of the fleet, same secret: the copy coming back is not mirrored again.
    try (MirrorEngine peer = MirrorConfig.parse(Map.of("mirror.host", shadow.address(),
        "mirror.marker-secret", SECRET)).newEngine()) {
      assertThat(peer.decide(withMarker(made)).mirrored()).isFalse();
      assertThat(peer.stats().target("default").dropped(DropReason.LOOP)).isEqualTo(1);
    }

    String log = SecureDefaultsTest.stderrOf(() -> {
      int dot = made.indexOf('.');
      char flipped = made.charAt(dot + 5) == 'A' ? 'B' : 'A';
      for (String spoof : new String[] {"3fa2c1-9",
          made.substring(0, dot + 5) + flipped + made.substring(dot + 6),
          "x." + made.substring(dot + 1), made + "x"}) {
        engine.submit(withMarker(spoof));
      }
    });
    for (int i = 0; i < 4; i++) {
      assertThat(shadow.take().getTarget()).isEqualTo("/probe");
    }
    assertThat(engine.stats().policy("default").unprovenMarkers()).isEqualTo(4);
    assertThat(engine.stats().target("default").dropped(DropReason.LOOP)).isZero();
    assertThat(log).contains("mirror policy default: a request carried X-Mirror-Request-Id"
        + " without a valid proof: mirrored like any other, counted in unprovenMarkers");
    assertThat(log.split("without a valid proof", -1)).as("one line a minute").hasSize(2);
  }

  @Test
  void withoutASecret_markersAreHonoured_countedAndLoggedAtALimitedRate() throws Exception {
    engine = MirrorConfig.parse(Map.of("mirror.host", shadow.address())).newEngine();
    String log = SecureDefaultsTest.stderrOf(() -> {
      for (int i = 0; i < 5; i++) {
        assertThat(engine.decide(withMarker("spoof-" + i)).mirrored()).isFalse();
      }
    });
    assertThat(engine.stats().target("default").dropped(DropReason.LOOP)).isEqualTo(5);
    assertThat(engine.stats().policy("default").unprovenMarkers()).isZero();
    assertThat(log).contains("a request carrying X-Mirror-Request-Id was taken for a copy and"
        + " not mirrored; without mirror.marker-secret any client can send it to stay"
        + " unmirrored");
    assertThat(log.split("was taken for a copy", -1)).as("one line a minute").hasSize(2);
    engine.submit(withMarker(null));
    assertThat(shadow.take().getHeaders().get("X-Mirror-Request-Id")).doesNotContain(".");
  }

  @Test
  void theSecret_fromAFile_isNeverShown_andMustBeLongEnough(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("marker"), SECRET + "\n");
    MirrorConfig config = MirrorConfig.parse(Map.of("mirror.host", shadow.address(),
        "mirror.marker-secret-file", file.toString()));
    engine = config.newEngine();
    engine.submit(withMarker(null));
    String made = shadow.take().getHeaders().get("X-Mirror-Request-Id");
    try (MirrorEngine peer = MirrorConfig.parse(Map.of("mirror.host", shadow.address(),
        "mirror.marker-secret", SECRET)).newEngine()) {
      assertThat(peer.decide(withMarker(made)).mirrored()).as("the same secret").isFalse();
    }
    assertThat(MirrorConfig.parse(Map.of("mirror.host", "http://a", "mirror.marker-secret",
        SECRET)).toString()).doesNotContain(SECRET).contains("mirror.marker-secret=[masked]");

    Files.writeString(file, "short\n");
    assertThatThrownBy(() -> MirrorConfig.parse(Map.of("mirror.host", "http://a",
        "mirror.marker-secret-file", file.toString())))
        .hasMessage("mirror.marker-secret-file: holds a secret shorter than 16 characters, must"
            + " hold one of at least 16");
    assertThatThrownBy(() -> MirrorConfig.parse(Map.of("mirror.host", "http://a",
        "mirror.marker-secret", "short")))
        .as("a wrong secret is not echoed either")
        .hasMessage("mirror.marker-secret: must be a secret of at least 16"
            + " characters, the same on every instance");
  }
}
