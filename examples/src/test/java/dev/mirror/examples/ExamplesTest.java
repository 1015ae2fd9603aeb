package dev.mirror.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.mirror.api.DropReason;
import dev.mirror.core.stats.MirrorStats;
import dev.mirror.core.stats.TargetStats;
import dev.mirror.jaxrs.MirrorFeature;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every example is started, exercised and shut down here, so none can rot. */
class ExamplesTest {

  @Test
  void demo_servesEverything_mirrorsToV2_dropsWhatV2SlowCannotTake_andReports() throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    Demo.Result result = new Demo(new PrintStream(text, true, StandardCharsets.UTF_8), 400, 1000,
        4, false).run(-1);
    String report = text.toString(StandardCharsets.UTF_8);

    assertThat(result.served()).isEqualTo(800);
    assertThat(result.failedPrimary()).isZero();
    TargetStats v2 = result.targets().get("v2");
    TargetStats slow = result.targets().get("v2-slow");
    assertThat(result.policy().submitted()).isEqualTo(400);
    assertThat(result.policy().filteredOut()).as("/login is excluded").isEqualTo(40);
    assertThat(v2.offered()).isEqualTo(360);
    assertThat(v2.sent()).isPositive();
    assertThat(v2.dropped(DropReason.BODY_TOO_LARGE)).as("256 KiB uploads").isPositive();
    assertThat(slow.dropped(DropReason.QUEUE_FULL)).as("0.5 s shadow, 16 in flight").isPositive();
    assertThat(result.sample()).contains("[masked]").contains("demo-primary");
    assertThat(report).contains("=== Report ===", "mirroring off", "mirroring on", "v2-slow",
        "QUEUE_FULL", "A copy next to the original");
    // v2 runs the next version: its search and its orders answer differently, the rest alike.
    assertThat(result.comparison().mismatched()).isPositive();
    assertThat(result.comparison().matched()).isPositive();
    assertThat(result.comparison().endpoints()).flatExtracting(e -> e.fields())
        .extracting(f -> f.field()).contains("/results/*", "/currency");
    assertThat(report).contains("v2's answers compared with the primary's", "/results/*");
    // The comparison counts cover the phases the copy counts do (issue 34: 2,200 compared where
    // v2 was sent 1,760): no more pairs compared than copies v2 answered there.
    assertThat(result.comparison().compared()).isPositive()
        .isLessThanOrEqualTo(v2.sent()).isLessThanOrEqualTo(result.v2Received());
    assertThat(report).contains(String.format("%,d compared", result.comparison().compared()));
  }

  @Test
  void captureThenReplay_deliversEveryCapturedCopy(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path directory) throws Exception {
    try (RecordingShadow later = RecordingShadow.healthy("later")) {
      dev.mirror.core.replay.Replay.Report report = CaptureReplayExample.run(directory,
          later.address(), 50);
      assertThat(report.records()).isEqualTo(50);
      assertThat(report.sent()).isEqualTo(50);
      assertThat(later.received()).isEqualTo(50);
      assertThat(later.firstReceived().get(0).headers().get("Authorization"))
          .containsExactly("[masked]");
    }
  }

  @Test
  void plainDispatcher_mirrorsEveryRequest() throws Exception {
    try (RecordingShadow shadow = RecordingShadow.healthy("shadow")) {
      TargetStats stats = PlainDispatcherExample.run(shadow.address(), 20);
      assertThat(stats.sent()).isEqualTo(20);
      assertThat(shadow.received()).isEqualTo(20);
      assertThat(shadow.firstReceived()).extracting(RecordingShadow.Received::target)
          .contains("/search?q=item+0");
    }
  }

  @Test
  void multiTarget_stickyRatios_andRedaction() throws Exception {
    try (RecordingShadow staging = RecordingShadow.healthy("staging");
        RecordingShadow perf = RecordingShadow.healthy("perf")) {
      MirrorStats stats = MultiTargetExample.run(staging.address(), perf.address(), 200, 3);
      // Decided on (sent, or dropped when the burst outran max-in-flight): sticky means every
      // chosen user is chosen for all 3 of their requests.
      long staging3 = stats.target("staging").offered() - stats.target("staging").sampledOut();
      long perf3 = stats.target("perf").offered() - stats.target("perf").sampledOut();
      assertThat(staging3 % 3).isZero();
      assertThat(perf3 % 3).isZero();
      assertThat(staging3 / 3).isBetween(60L, 140L);   // half of 200 users, +-5 sigma
      assertThat(perf3 / 3).isBetween(1L, 45L);        // a fifth of those
      assertThat(stats.target("staging").sent()).isPositive();
      RecordingShadow.Received copy = staging.firstReceived().get(0);
      assertThat(copy.headers().get("Authorization")).containsExactly("[masked]");
      assertThat(copy.headers()).doesNotContainKey("Cookie");
    }
  }

  @Test
  void synchronous_waitsForTheShadow_boundedByTheTimeout() throws Exception {
    try (RecordingShadow shadow = RecordingShadow.slow("ordered", Duration.ofMillis(100))) {
      Duration slowest = SynchronousExample.run(shadow.address(), 3);
      assertThat(shadow.received()).isEqualTo(3);
      // It waited for an answer (>= the shadow's 100 ms), and no longer than connect + read.
      assertThat(slowest).isBetween(Duration.ofMillis(100), Duration.ofSeconds(4));
    }
  }

  @Test
  void jersey_mirrorsOnlyWhatIsMarked() throws Exception {
    try (RecordingShadow shadow = RecordingShadow.healthy("shadow");
        MirrorFeature feature = new MirrorFeature()) {
      HttpServer server = JerseyExample.start(shadow.address(), 0, feature);
      try {
        HttpClient client = HttpClient.newHttpClient();
        for (String path : List.of("/health", "/orders/42")) {
          HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(
              "http://127.0.0.1:" + server.getAddress().getPort() + path)).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(answer.statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> shadow.received() == 1);
        assertThat(shadow.firstReceived().get(0).target()).isEqualTo("/orders/42");
      } finally {
        server.stop(0);
      }
    }
  }

  @Test
  void webXmlApp_startsFromItsWebXml() throws Exception {
    try (RecordingShadow shadow = RecordingShadow.healthy("v2");
        WebXmlApp app = WebXmlApp.start(Map.of("V2", shadow.address(), "V2_SLOW",
            shadow.address()), 0)) {
      HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(app.url("/api/products?q=a+b"))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(answer.body()).contains("\"q\":\"a b\"");
      // Both targets point at the same shadow here: one request, two copies.
      await().atMost(Duration.ofSeconds(10)).until(() -> shadow.received() == 2);
      assertThat(app.engine().stats().target("v2").sent()).isEqualTo(1);
    }
  }
}
