package dev.mirror.cli;

import dev.mirror.api.Headers;
import dev.mirror.capture.CaptureRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.IntFunction;

/** Writes captures as mirror-capture writes them (its own record type). */
final class Captures {

  private Captures() {}

  /** A capture file of {@code count} records, 1 ms apart; {@code request} makes record i. */
  static Path write(Path file, int count, IntFunction<String[]> request) throws IOException {
    Instant start = Instant.parse("2026-12-01T10:00:00Z");
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < count; i++) {
        String[] methodAndUri = request.apply(i);
        String body = methodAndUri.length > 2 ? methodAndUri[2] : "";
        new CaptureRecord(start.plusMillis(i), "rec-" + i, "default", "capture",
            methodAndUri[0], methodAndUri[1], Headers.of("Host", "shop.example",
                "X-Mirror-Request-Id", "rec-" + i, "Content-Type", "application/json"),
            ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8))).writeTo(out);
      }
    }
    return file;
  }
}
