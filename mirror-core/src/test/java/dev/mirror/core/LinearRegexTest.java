package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.ValueMatch;
import dev.mirror.core.testing.Shadow;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 28: regular expressions cannot be made to run for minutes. The classic catastrophic
 * patterns, and the built-in detectors, over 64 KiB values built to make a backtracking engine
 * explode, end within a bound that is a guard, not a benchmark (java.util.regex takes longer
 * than the age of the universe on the first of them).
 */
class LinearRegexTest {

  private static final int SIZE = 64 * 1024;
  private static final Duration BOUND = Duration.ofSeconds(20);

  private Shadow shadow;
  private MirrorEngine engine;

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
    if (shadow != null) {
      shadow.close();
    }
  }

  /** Values on which backtracking engines go exponential or quadratic. */
  private static List<String> hostileValues() {
    return List.of(
        "a".repeat(SIZE) + "!",                                  // (a+)+$, (a|aa)+$
        "a@" + "a.".repeat(SIZE / 2) + "!",                      // email's domain part
        "a".repeat(SIZE / 2) + "@" + "a".repeat(SIZE / 2),       // email without a dot
        "eyJ" + "a".repeat(SIZE) + ".eyJ" + "b".repeat(10),      // jwt without its third dot
        "1 ".repeat(SIZE / 2),                                   // card: a run of digit groups
        "DE89 " + "A ".repeat(SIZE / 2),                         // iban: a run of groups
        "bearer " + "=".repeat(SIZE));                           // bearer's padding
  }

  @Test
  void userPatternsAndDetectors_scrubA64KiBValue_inLinearTime() throws Exception {
    shadow = Shadow.answering(200);
    engine = MirrorConfig.parse(Map.of("mirror.host", shadow.address(),
        "mirror.max-body-bytes", String.valueOf(4 * SIZE),
        "mirror.scrub-patterns", "email,jwt,bearer,card,iban,nested,alternation",
        "mirror.scrub-pattern.nested", "(a+)+$",
        "mirror.scrub-pattern.alternation", "(a|aa)+$")).newEngine();
    assertTimeoutPreemptively(BOUND, () -> {
      for (String value : hostileValues()) {
        engine.submit(MirroredRequest.builder().method("POST").rawTarget("/in")
            .headers(Headers.of("Content-Type", "text/plain; charset=utf-8"))
            .body(value.getBytes(StandardCharsets.UTF_8)).build());
        RecordedRequest copy = shadow.take();
        assertThat(copy.getBody().size()).isPositive();
      }
    });
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        engine.stats().target("default").sent() == hostileValues().size());
  }

  @Test
  void aRegexMatch_onTheRequestThread_overA64KiBHeader_endsInLinearTime() throws Exception {
    shadow = Shadow.answering(200);
    engine = MirrorConfig.parse(Map.of("mirror.host", shadow.address(),
        "mirror.match-header.X-Tenant", "regex:(a+)+$",
        "mirror.match-query.q", "regex:(a|aa)+b")).newEngine();
    String hostile = "a".repeat(SIZE) + "!";
    assertTimeoutPreemptively(BOUND, () -> {
      assertThat(engine.decide(MirroredRequest.builder().method("GET")
          .rawTarget("/a?q=" + hostile).headers(Headers.of("X-Tenant", hostile)).build())
          .mirrored()).isFalse();
      assertThat(ValueMatch.of("regex:(x+x+)+y").matches("x".repeat(SIZE))).isFalse();
    });
  }

  @Test
  void patternsOutsideRe2_failStartUp_namingTheKey() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MirrorConfig.parse(Map.of(
        "mirror.host", "http://a", "mirror.scrub-patterns", "x",
        "mirror.scrub-pattern.x", "(a)\\1")))
        .hasMessageStartingWith("mirror.scrub-pattern.x: was (a)\\1, must be a regular"
            + " expression in RE2 syntax (linear time: no back-references, no look-around:");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MirrorConfig.parse(Map.of(
        "mirror.host", "http://a", "mirror.match-header.X-A", "regex:(?<=a)b")))
        .hasMessageStartingWith("mirror.match-header.X-A: was regex:(?<=a)b, must be a regular"
            + " expression in RE2 syntax");
  }
}
