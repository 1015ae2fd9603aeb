package dev.mirror.examples;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.RequestFilter;
import dev.mirror.api.Sampler;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import java.nio.charset.StandardCharsets;

/**
 * Example: mirroring from plain code, with no container: build an engine, hand it requests, read
 * its stats. For a proxy, a message consumer or a framework without a servlet filter.
 */
public final class PlainDispatcherExample {

  private PlainDispatcherExample() {}

  /** Mirrors {@code count} requests to {@code shadow}; returns the target's stats after close. */
  public static TargetStats run(String shadow, int count) {
    MirrorEngine engine = MirrorEngine.builder()
        .policy(MirrorPolicy.to(shadow)
            .sampler(Sampler.ratio(1.0))
            .filter(RequestFilter.builder().methods("GET", "POST").build())
            .build())
        .build();
    try (engine) {
      for (int i = 0; i < count; i++) {
        SubmitResult result = engine.submit(MirroredRequest.builder()
            .method(i % 2 == 0 ? "GET" : "POST")
            .rawTarget("/search?q=item+" + i)
            .host("shop.example")
            .headers(Headers.of("Accept", "application/json"))
            .body(i % 2 == 0 ? new byte[0] : ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8))
            .remoteAddress("203.0.113.9")
            .build());
        if (!result.accepted()) {
          System.out.println("request " + i + " not mirrored: " + result.outcome() + " "
              + result.dropReason());
        }
      }
    } // close() drains the copies in flight, within mirror.close-timeout
    return engine.stats().target("default");
  }

  public static void main(String[] args) throws Exception {
    try (RecordingShadow shadow = RecordingShadow.healthy("shadow")) {
      TargetStats stats = run(shadow.address(), 100);
      System.out.printf("sent %d copies, shadow received %d, dropped %d, failed %d%n",
          stats.sent(), shadow.received(), stats.droppedTotal(), stats.failedTotal());
    }
  }
}
