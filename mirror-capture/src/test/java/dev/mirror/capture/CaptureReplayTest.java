package dev.mirror.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copies captured to rotated NDJSON files, then replayed to a real server on 127.0.0.1. */
class CaptureReplayTest {

  @TempDir
  Path dir;

  private static MirroredRequest request(int i) {
    byte[] body = i % 3 == 0 ? new byte[] {(byte) 0xff, 0, (byte) i, 10}
        : ("{\"order\":" + i + ",\"note\":\"ünïcode\"}").getBytes(StandardCharsets.UTF_8);
    return MirroredRequest.builder().method(i % 2 == 0 ? "POST" : "PUT")
        .rawTarget("/api/orders/" + i + "?q=a%20b&i=" + i)
        .headers(Headers.of("Content-Type", i % 3 == 0 ? "application/octet-stream"
            : "application/json", "Authorization", "Bearer secret-" + i, "X-Trace", "t" + i))
        .body(body).build();
  }

  private MirrorEngine captureEngine(String... keys) {
    Map<String, String> all = new HashMap<>(Map.of(
        "mirror.host", "file://" + dir,
        "mirror.redact-credentials", "true"));
    for (int i = 0; i < keys.length; i += 2) {
      all.put(keys[i], keys[i + 1]);
    }
    return MirrorConfig.parse(all).newEngine();
  }

  private List<CaptureRecord> records() throws IOException {
    List<CaptureRecord> out = new ArrayList<>();
    for (Path file : Replayer.files(dir)) {
      for (String line : Files.readAllLines(file)) {
        out.add(CaptureRecord.parse(line));
      }
    }
    return out;
  }

  @Test
  void copies_areCaptured_rotated_byteExact_redacted_andTheDiskCapHolds() throws Exception {
    try (MirrorEngine engine = captureEngine("mirror.file.max-file-bytes", "2048",
        "mirror.file.max-total-bytes", "8192")) {
      for (int i = 0; i < 60; i++) {
        engine.submit(request(i));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        TargetStats t = engine.stats().target("default");
        return t.sent() + t.droppedTotal() + t.failedTotal() == 60;
      });
      assertThat(engine.stats().target("default").sent()).isEqualTo(60);
    }
    List<Path> files = Replayer.files(dir);
    assertThat(files.size()).isGreaterThan(1);
    long total = 0;
    for (Path file : files) {
      total += Files.size(file);
    }
    assertThat(total).isLessThanOrEqualTo(8192 + 2048);
    List<CaptureRecord> kept = records();
    assertThat(kept).isNotEmpty();
    // The oldest files went first: what is left is the last records, in order, byte for byte.
    int first = 60 - kept.size();
    for (int k = 0; k < kept.size(); k++) {
      CaptureRecord record = kept.get(k);
      MirroredRequest sent = request(first + k);
      assertThat(record.method()).isEqualTo(sent.method());
      assertThat(record.uri()).isEqualTo(sent.rawTarget());
      assertThat(record.body()).isEqualTo(sent.body());
      assertThat(record.headers().first("Authorization")).isEqualTo("[masked]");
      assertThat(record.headers().first("X-Trace")).isEqualTo("t" + (first + k));
      assertThat(record.headers().first("X-Mirror-Request-Id")).isEqualTo(record.id());
    }
  }

  @Test
  void captureFilesAndDirectories_areTheOwnersOnly_andCredentialsMaskedByDefault()
      throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.FileSystems.getDefault()
        .supportedFileAttributeViews().contains("posix"), "a POSIX file system");
    Path captures = dir.resolve("new").resolve("captures");
    try (MirrorEngine engine = MirrorConfig.parse(Map.of("mirror.host", "file://" + captures))
        .newEngine()) {
      engine.submit(MirroredRequest.builder().method("GET").rawTarget("/a")
          .headers(Headers.of("Authorization", "Bearer user-tok-1", "Cookie", "SESSION=s1",
              "Set-Cookie", "x=1"))
          .build());
      await().atMost(Duration.ofSeconds(10))
          .until(() -> engine.stats().target("default").sent() == 1);
    }
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(captures))).isEqualTo("rwx------");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("new")))).isEqualTo("rwx------");
    List<Path> files = Replayer.files(captures);
    assertThat(files).hasSize(1);
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(files.get(0)))).isEqualTo("rw-------");
    String line = Files.readString(files.get(0));
    assertThat(line).doesNotContain("user-tok-1").doesNotContain("SESSION=s1")
        .doesNotContain("x=1");
    CaptureRecord record = CaptureRecord.parse(line.strip());
    assertThat(record.headers().first("Authorization")).isEqualTo("[masked]");
    assertThat(record.headers().first("Cookie")).isEqualTo("[masked]");
    assertThat(record.headers().first("Set-Cookie")).isEqualTo("[masked]");
  }

  @Test
  void aCapture_isReplayed_withFilters_hostRewrite_andAReport() throws Exception {
    try (MirrorEngine engine = captureEngine()) {
      for (int i = 0; i < 20; i++) {
        engine.submit(request(i));
      }
      await().atMost(Duration.ofSeconds(10))
          .until(() -> engine.stats().target("default").sent() == 20);
    }
    try (MockWebServer target = new MockWebServer()) {
      for (int i = 0; i < 20; i++) {
        target.enqueue(new MockResponse.Builder().code(200).build());
      }
      target.start(InetAddress.getByName("127.0.0.1"), 0);
      dev.mirror.core.replay.Replay.Report report = Replayer.replay(new Replayer.Options(dir,
          "http://127.0.0.1:" + target.getPort(), 0, 0, List.of("POST"), List.of("/api/**"),
          "staging.example", Map.of()), null);

      assertThat(report.records()).isEqualTo(20);
      assertThat(report.skipped()).isEqualTo(10); // the PUTs
      assertThat(report.sent()).isEqualTo(10);
      assertThat(report.failedTotal()).isZero();
      // Copies go out on several connections at once: compared by target, not by arrival.
      Map<String, RecordedRequest> got = new HashMap<>();
      for (int i = 0; i < 10; i++) {
        RecordedRequest one = target.takeRequest();
        got.put(one.getTarget(), one);
      }
      for (int n = 0; n < 20; n += 2) {
        RecordedRequest one = got.get(request(n).rawTarget());
        assertThat(one).as("POST %d", n).isNotNull();
        assertThat(one.getMethod()).isEqualTo("POST");
        assertThat(one.getBody().toByteArray()).isEqualTo(request(n).bodyBytes());
        assertThat(one.getHeaders().get("Host")).isEqualTo("staging.example");
        assertThat(one.getHeaders().get("Authorization")).isEqualTo("[masked]");
      }
    }
  }

  @Test
  void aReplay_keepsTheRecordedHost_andAddsNoForwardingHopASecondTime() throws Exception {
    try (MirrorEngine engine = captureEngine()) {
      engine.submit(MirroredRequest.builder().method("GET").scheme("https")
          .host("shop.example").rawTarget("/api/cart").remoteAddress("203.0.113.9")
          .headers(Headers.of("X-Forwarded-For", "198.51.100.7")).build());
      await().atMost(Duration.ofSeconds(10))
          .until(() -> engine.stats().target("default").sent() == 1);
    }
    CaptureRecord recorded = records().get(0);
    assertThat(recorded.headers().first("Host")).isEqualTo("shop.example");
    assertThat(recorded.headers().first("X-Forwarded-Proto")).isEqualTo("https");
    try (MockWebServer target = new MockWebServer()) {
      target.enqueue(new MockResponse.Builder().code(200).build());
      target.enqueue(new MockResponse.Builder().code(200).build());
      target.start(InetAddress.getByName("127.0.0.1"), 0);
      String to = "http://127.0.0.1:" + target.getPort();
      Replayer.replay(new Replayer.Options(dir, to, 0, 0, List.of(), List.of(), null, Map.of()),
          null);
      RecordedRequest copy = target.takeRequest();
      assertThat(copy.getHeaders().get("Host")).as("the recorded Host").isEqualTo("shop.example");
      assertThat(copy.getHeaders().values("X-Forwarded-Proto")).containsExactly("https");
      assertThat(copy.getHeaders().values("X-Forwarded-Host")).containsExactly("shop.example");
      assertThat(copy.getHeaders().values("X-Forwarded-For"))
          .containsExactly("198.51.100.7, 203.0.113.9");
      // --host still overrides the recorded Host, and changes nothing else.
      Replayer.replay(new Replayer.Options(dir, to, 0, 0, List.of(), List.of(), "v2.internal",
          Map.of()), null);
      RecordedRequest rehosted = target.takeRequest();
      assertThat(rehosted.getHeaders().get("Host")).isEqualTo("v2.internal");
      assertThat(rehosted.getHeaders().values("X-Forwarded-Proto")).containsExactly("https");
    }
  }

  @Test
  void recordedPace_isKept_atTheAskedMultiple() throws Exception {
    Instant t0 = Instant.parse("2026-11-29T10:00:00Z");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CaptureRecord record = new CaptureRecord(t0.plusMillis(300L * i), "r" + i, "p", "t", "GET",
          "/x/" + i, Headers.empty(), null);
      java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
      record.writeTo(line);
      lines.add(line.toString(StandardCharsets.UTF_8).trim());
    }
    Path file = Files.write(dir.resolve("hand.ndjson"), lines);
    try (MockWebServer target = new MockWebServer()) {
      for (int i = 0; i < 3; i++) {
        target.enqueue(new MockResponse.Builder().code(204).build());
      }
      target.start(InetAddress.getByName("127.0.0.1"), 0);
      dev.mirror.core.replay.Replay.Report report = Replayer.replay(new Replayer.Options(file,
          "http://127.0.0.1:" + target.getPort(), 2, 0, List.of(), List.of(), null, Map.of()),
          null);
      assertThat(report.sent()).isEqualTo(3);
      // 600 ms recorded, replayed at twice the pace: at least 300 ms.
      assertThat(report.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }
  }

  @Test
  void badInput_isNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("bad.ndjson"), "{\"time\":\"2026-11-29T10:00:00Z\","
        + "\"method\":\"GET\",\"uri\":\"/a\"}\nnot json\n");
    assertThatThrownBy(() -> Replayer.replay(new Replayer.Options(file, "http://127.0.0.1:9", 0,
        0, List.of(), List.of(), null, Map.of()), null))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(file + ":2: not a capture record");
    assertThatThrownBy(() -> captureEngine("mirror.file.rotate-every", "0s"))
        .hasMessageContaining("mirror.file.rotate-every: was 0s, must be a duration");
    assertThatThrownBy(() -> captureEngine("mirror.file.max-file-byte", "10"))
        .hasMessageContaining("mirror.file.max-file-byte: unknown key");
    assertThatThrownBy(() -> Replayer.parse(new String[] {"--from", "x", "--speed", "-1",
        "--to", "http://a"})).hasMessage("--speed: was -1, must be a number above 0");
  }
}
