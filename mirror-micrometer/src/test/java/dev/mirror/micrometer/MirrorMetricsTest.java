package dev.mirror.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.MirroredRequest;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.testing.Shadow;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meters after a known run: 6 requests, 2 filtered out, 3 sent, 1 dropped over the limit. */
class MirrorMetricsTest {

  private static MirrorEngine run(Shadow shadow) {
    MirrorEngine engine = MirrorConfig.parse(Map.of("mirror.host", shadow.address(),
        "mirror.exclude-paths", "/login", "mirror.max-body-bytes", "10")).newEngine();
    for (int i = 0; i < 3; i++) {
      engine.submit(MirroredRequest.builder().method("GET").rawTarget("/a?i=" + i).build());
    }
    engine.submit(MirroredRequest.builder().method("POST").rawTarget("/big")
        .body(new byte[11]).build());
    for (int i = 0; i < 2; i++) {
      engine.submit(MirroredRequest.builder().method("POST").rawTarget("/login").build());
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> engine.stats().target("default").sent() == 3);
    return engine;
  }

  @Test
  void simpleRegistry_showsTheCounts() throws Exception {
    try (Shadow shadow = Shadow.answering(200); MirrorEngine engine = run(shadow)) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new MirrorMetrics(engine, Duration.ZERO).bindTo(registry);
      assertThat(registry.get("mirror.copies").tags("target", "default", "result", "sent")
          .functionCounter().count()).isEqualTo(3);
      assertThat(registry.get("mirror.copies").tags("result", "dropped", "reason",
          "body_too_large").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("mirror.requests").tags("result", "filtered_out")
          .functionCounter().count()).isEqualTo(2);
      assertThat(registry.get("mirror.requests").tags("result", "offered")
          .functionCounter().count()).isEqualTo(4);
      assertThat(registry.get("mirror.copy.latency").functionTimer().count()).isEqualTo(3);
      assertThat(registry.get("mirror.copy.latency").functionTimer()
          .totalTime(TimeUnit.NANOSECONDS)).isPositive();
      assertThat(registry.get("mirror.copies.in.flight").gauge().value()).isZero();
      assertThat(registry.get("mirror.copies.in.flight.max").gauge().value()).isEqualTo(2048);
      assertThat(registry.get("mirror.circuit.open").gauge().value()).isZero();
      for (String result : new String[] {"scheduled", "exhausted", "refused"}) {
        assertThat(registry.get("mirror.copy.retries").tags("target", "default", "result", result)
            .functionCounter().count()).isZero(); // retries are off by default
      }
      assertThat(registry.get("mirror.copy.retries.pending").gauge().value()).isZero();
      assertThat(registry.get("mirror.config.version").gauge().value()).isEqualTo(-1);
      assertThat(registry.get("mirror.config.refused").functionCounter().count()).isZero();
      // Real percentiles (issue 34): the 99th is one of the three latencies, not a bucket bound.
      double p99 = registry.get("mirror.copy.latency.percentile").tags("quantile", "0.99")
          .timeGauge().value(TimeUnit.NANOSECONDS);
      assertThat(p99).isPositive().isLessThanOrEqualTo(
          engine.stats().target("default").latency().totalNanos() * 1.01);
      // No tag of unbounded cardinality: only these keys, ever (quantile: 0.5, 0.9, 0.99).
      for (Meter meter : registry.getMeters()) {
        meter.getId().getTags().forEach(tag -> assertThat(tag.getKey())
            .isIn("policy", "target", "result", "reason", "quantile"));
      }
    }
  }

  @Test
  void prometheusText_namesTagsAndValues() throws Exception {
    try (Shadow shadow = Shadow.answering(200); MirrorEngine engine = run(shadow)) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new MirrorMetrics(engine, Duration.ZERO).bindTo(registry);
      String text = registry.scrape();
      assertThat(text)
          .contains("mirror_copies_total{policy=\"default\",reason=\"none\",result=\"sent\","
              + "target=\"default\"} 3.0")
          .contains("mirror_copies_total{policy=\"default\",reason=\"body_too_large\","
              + "result=\"dropped\",target=\"default\"} 1.0")
          .contains("mirror_requests_total{policy=\"default\",result=\"filtered_out\"} 2.0")
          .contains("mirror_copy_latency_seconds_count{policy=\"default\",target=\"default\"} 3")
          .contains("mirror_copies_in_flight_max{policy=\"default\",target=\"default\"} 2048.0");
    }
  }
}
