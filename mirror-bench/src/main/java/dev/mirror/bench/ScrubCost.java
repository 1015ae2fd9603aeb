package dev.mirror.bench;

import dev.mirror.api.Headers;
import dev.mirror.api.Rewrite;
import dev.mirror.api.Scrubbing;
import dev.mirror.core.internal.scrub.Scrubber;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The sending thread's cost of scrubbing a 4 KiB JSON body with five rules (three JSON-pointer
 * globs, the email and card detectors): a body with something to redact, and one no rule
 * touches (sent as it came). Reaches the scrubber through its
 * internal package ({@code dev.mirror.core.internal.scrub}, public but not exported).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScrubCost {

  /** secrets: a password, card numbers and emails to redact; clean: nothing to redact. */
  @Param({"secrets", "clean"})
  public String body;

  private Scrubber scrubber;
  private Headers headers;
  private ByteBuffer bytes;

  @Setup
  public void setUp() {
    scrubber = Scrubber.of(Rewrite.builder().scrubbing(new Scrubbing(
        List.of("/user/password", "/items/*/card", "/**/token"), List.of(),
        List.of("email", "card"), Map.of(), false)).build());
    headers = Headers.of("Content-Type", "application/json");
    StringBuilder json = new StringBuilder("{\"user\":{\"name\":\"Zoë\",")
        .append(body.equals("secrets") ? "\"password\":\"hunter2" : "\"nickname\":\"zo")
        .append("\",\"mail\":\"")
        .append(body.equals("secrets") ? "zoe@example.com" : "none").append("\"},\"items\":[");
    int i = 0;
    while (json.length() < 4000) {
      json.append(i == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(i)
          .append("\",\"qty\":").append(i % 7).append(",\"price\":").append(i * 1.25)
          .append(body.equals("secrets") ? ",\"card\":\"4111 1111 1111 1111\"" : "")
          .append(",\"note\":\"gift wrap, ring the bell\"}");
      i++;
    }
    json.append("],\"session\":{\"id\":42}}");
    bytes = ByteBuffer.wrap(json.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Benchmark
  public ByteBuffer scrub() {
    return scrubber.body(headers, bytes, new int[1]);
  }
}
