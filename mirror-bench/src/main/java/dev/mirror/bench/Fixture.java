package dev.mirror.bench;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.RequestFilter;
import dev.mirror.api.RequestView;
import dev.mirror.api.Sampler;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.core.MirrorEngine;
import jakarta.servlet.FilterChain;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;

/** What the JMH benchmarks share: the engine, the request of each shape, the application. */
final class Fixture {

  /** The in-flight cap of the benchmark's target. */
  static final int CAP = 1024;

  private Fixture() {}

  /** A transport that answers 204 at once: the benchmarks measure our side, not a network. */
  static final class Immediate implements MirrorTransport {
    private static final CompletableFuture<ShadowResponse> NO_CONTENT =
        CompletableFuture.completedFuture(new ShadowResponse(204, Headers.empty()));

    @Override
    public CompletableFuture<ShadowResponse> send(ShadowRequest request) {
      return NO_CONTENT;
    }
  }

  static int bodySize(String shape) {
    return switch (shape) {
      case "1KiB" -> 1024;
      case "64KiB" -> 64 * 1024;
      default -> 0;
    };
  }

  /**
   * The engine of a shape. sampledOut...: the sampler says no; filteredOut: the policy's filter
   * takes no request under {@code /api}; turnedAway: the target's cap is one copy, which {@link
   * #fill} takes, so every request is turned away at the cap (as with a slow shadow); any other
   * shape is mirrored.
   */
  static MirrorEngine engine(String shape) {
    return MirrorEngine.builder()
        .policy(MirrorPolicy.builder("bench")
            .target(MirrorTarget.builder("t", "http://127.0.0.1:9")
                .maxInFlight(shape.equals("turnedAway") ? 1 : CAP).build())
            .sampler(shape.startsWith("sampledOut") ? Sampler.never() : Sampler.always())
            .filter(shape.equals("filteredOut")
                ? RequestFilter.builder().excludePaths("/api/**").build() : RequestFilter.all())
            .maxBodyBytes(64 * 1024)
            // "...Compared": the policy compares answers (the unsampled path must not care)
            .comparison(shape.endsWith("Compared")
                ? dev.mirror.api.Comparison.builder().targets("t").build()
                : dev.mirror.api.Comparison.none())
            .build())
        .transport(new Immediate())
        .dispatchThreads(1)
        .build();
  }

  /**
   * Takes the target's room for the whole run (shape turnedAway): the decision is held, never
   * submitted; pass it to {@link #release} at the end. Null for the other shapes.
   */
  static Decision fill(MirrorEngine engine, String shape) {
    if (!shape.equals("turnedAway")) {
      return null;
    }
    Decision held = engine.decide(new RequestView() {
      @Override
      public String method() {
        return "GET";
      }

      @Override
      public String rawPath() {
        return "/held";
      }

      @Override
      public String header(String name) {
        return null;
      }
    });
    if (!held.mirrored()) {
      throw new IllegalStateException("the target's one place was not taken: " + held.result());
    }
    return held;
  }

  /** Gives back what {@link #fill} took. */
  static void release(MirrorEngine engine, Decision held) {
    if (held != null) {
      engine.abandon(held, DropReason.ERROR);
    }
  }

  static BenchRequest request(String shape) {
    int size = bodySize(shape);
    return new BenchRequest(size == 0 ? "GET" : "POST", "/api/orders", "id=42&view=full",
        new byte[size], "Host", "shop.example", "Accept", "application/json", "User-Agent",
        "bench/1.0", "Content-Type", "application/json", "X-Request-Id", "abc-123");
  }

  /** The application: reads its whole body. */
  static FilterChain readingApplication() {
    byte[] sink = new byte[8192];
    return (req, res) -> {
      InputStream in = req.getInputStream();
      while (in.read(sink) >= 0) {
        // the application reads its body
      }
    };
  }
}
