package dev.mirror.bench;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
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

  static MirrorEngine engine(String shape) {
    return MirrorEngine.builder()
        .policy(MirrorPolicy.builder("bench")
            .target(MirrorTarget.builder("t", "http://127.0.0.1:9").maxInFlight(CAP).build())
            .sampler(shape.startsWith("sampledOut") ? Sampler.never() : Sampler.always())
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
