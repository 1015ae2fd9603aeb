package dev.mirror.examples;

import dev.mirror.api.MirroredRequest;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import java.time.Duration;
import java.util.Map;

/**
 * Example: synchronous mode with response logging (the gateway's {@code synchronous} and {@code
 * logResponses}). Each submit waits for the shadow's answer, bounded by the timeouts, and each
 * answer is logged (at most one line per target and status class per second). For shadows that
 * must see requests in order, or for comparing answers; never to protect the primary.
 *
 * <p>What a client sees, with the servlet filter or the JAX-RS feature: no byte of its answer
 * (status line included) leaves before every copy of its request has been answered, has failed
 * or has timed out, so the shadow's time is added to the client's, at most the targets' connect
 * plus read timeout; then the application's answer goes out unchanged. Only an application that
 * starts answering before it has read the request body answers without waiting (the copy cannot
 * be sent yet). {@code stats().target(t).waited()} shows what the waits cost.
 */
public final class SynchronousExample {

  private SynchronousExample() {}

  /** Submits {@code count} requests one by one; returns how long the slowest submit took. */
  public static Duration run(String shadow, int count) {
    MirrorEngine engine = MirrorConfig.parse(Map.of(
        "mirror.host", shadow,
        "mirror.synchronous", "true",
        "mirror.log-responses", "true",
        "mirror.timeout.read", "2s")).newEngine();
    long slowest = 0;
    try (engine) {
      for (int i = 0; i < count; i++) {
        long start = System.nanoTime();
        SubmitResult result = engine.submit(MirroredRequest.builder().rawTarget("/step/" + i).build());
        slowest = Math.max(slowest, System.nanoTime() - start);
        if (!result.accepted()) {
          System.out.println("step " + i + ": " + result.outcome());
        }
      }
      System.out.printf("waits measured: %d, median %.1f ms%n",
          engine.stats().target("default").waited().count(),
          engine.stats().target("default").waited().quantileMillis(0.5));
    }
    return Duration.ofNanos(slowest);
  }

  public static void main(String[] args) throws Exception {
    try (RecordingShadow shadow = RecordingShadow.slow("ordered", Duration.ofMillis(100))) {
      Duration slowest = run(shadow.address(), 5);
      System.out.printf("5 synchronous copies; the slowest submit waited %d ms; shadow got %d%n",
          slowest.toMillis(), shadow.received());
    }
  }
}
