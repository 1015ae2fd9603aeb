package dev.mirror.examples;

import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.capture.Replayer;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.replay.Replay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Example: capture, then replay. Copies go to a capture directory ({@code file://}, module
 * {@code mirror-capture}) as the service serves; later the capture is replayed, at twice the
 * recorded pace, to a shadow that was not there when the traffic happened.
 */
public final class CaptureReplayExample {

  private CaptureReplayExample() {}

  /** Captures {@code requests} copies into {@code directory}, then replays them to {@code to}. */
  public static Replay.Report run(Path directory, String to, int requests) throws Exception {
    try (MirrorEngine capture = MirrorConfig.parse(Map.of(
        "mirror.host", "file://" + directory.toAbsolutePath(),
        "mirror.redact-credentials", "true",
        "mirror.file.max-file-bytes", "65536")).newEngine()) {
      for (int i = 0; i < requests; i++) {
        capture.submit(MirroredRequest.builder().method("POST").rawTarget("/api/orders")
            .headers(Headers.of("Content-Type", "application/json",
                "Authorization", "Bearer secret-" + i))
            .body(("{\"sku\":" + i + "}").getBytes(StandardCharsets.UTF_8))
            .build());
      }
    } // closing writes what is queued
    return Replayer.replay(new Replayer.Options(directory, to, 2, 0, List.of(), List.of(), null,
        Map.of()), null);
  }

  public static void main(String[] args) throws Exception {
    Path directory = Files.createTempDirectory("mirror-capture");
    try (RecordingShadow later = RecordingShadow.healthy("later")) {
      Replay.Report report = run(directory, later.address(), 200);
      System.out.printf("captured 200 copies in %s, replayed: sent %d, failed %d; the shadow"
          + " received %d, Authorization as %s%n", directory, report.sent(), report.failedTotal(),
          later.received(), later.firstReceived().get(0).headers().get("Authorization"));
    }
  }
}
