package dev.mirror.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.DeadLetter;
import dev.mirror.api.FailureReason;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.replay.Replay;
import dev.mirror.core.stats.TargetStats;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copies a shadow could not take go to a file:// dead letter, and a replay delivers each once. */
class DeadLetterTest {

  @TempDir
  Path dir;

  private static int closedPort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return probe.getLocalPort();
    }
  }

  private Map<String, String> keys(int port) {
    Map<String, String> keys = new HashMap<>();
    keys.put("mirror.targets", "shadow,dl");
    keys.put("mirror.target.shadow.host", "http://127.0.0.1:" + port);
    keys.put("mirror.target.shadow.dead-letter", "dl");
    keys.put("mirror.target.shadow.circuit.failure-threshold", "1000");
    keys.put("mirror.target.dl.host", "file://" + dir);
    return keys;
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
  void everyFailedCopy_isInTheDeadLetterCapture_andAReplayDeliversEachOnce() throws Exception {
    int copies = 30;
    try (MirrorEngine engine = MirrorConfig.parse(keys(closedPort())).newEngine()) {
      for (int i = 0; i < copies; i++) {
        engine.submit(MirroredRequest.builder().method("POST").rawTarget("/orders/" + i)
            .body(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)).build());
      }
      await().atMost(Duration.ofSeconds(10)).until(() ->
          engine.stats().target("shadow").failed(FailureReason.CONNECT) == copies
              && engine.stats().target("dl").sent() == copies);
      TargetStats dl = engine.stats().target("dl");
      assertThat(dl.offered()).as("the dead letter gets no sampled traffic").isEqualTo(copies);
      assertThat(dl.sampledOut()).isZero();
    }
    List<CaptureRecord> records = records();
    assertThat(records).hasSize(copies);
    assertThat(records).allSatisfy(r -> {
      assertThat(r.headers().first(DeadLetter.REASON_HEADER)).isEqualTo("CONNECT");
      assertThat(r.headers().first(DeadLetter.ATTEMPTS_HEADER)).isEqualTo("1");
    });

    Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    try (MockWebServer target = new MockWebServer()) {
      target.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          received.computeIfAbsent(request.getTarget(), k -> new AtomicInteger())
              .incrementAndGet();
          return new MockResponse.Builder().code(200).build();
        }
      });
      target.start(InetAddress.getByName("127.0.0.1"), 0);
      Replay.Report report = Replayer.replay(new Replayer.Options(dir,
          "http://127.0.0.1:" + target.getPort(), 0, 0, List.of(), List.of(), null, Map.of()),
          null);
      assertThat(report.records()).isEqualTo(copies);
      assertThat(report.sent()).isEqualTo(copies);
      assertThat(report.failedTotal()).isZero();
    }
    assertThat(received).hasSize(copies);
    assertThat(received.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
  }

  @Test
  void deadLetterKeys_thatNameNoOtherTarget_orChain_failNamingTheKey() throws IOException {
    Map<String, String> unknown = keys(closedPort());
    unknown.put("mirror.target.shadow.dead-letter", "nowhere");
    assertThatThrownBy(() -> MirrorConfig.parse(unknown))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessage("mirror.target.shadow.dead-letter: was nowhere, must be the name of another"
            + " target of the policy [shadow, dl]");

    Map<String, String> self = keys(closedPort());
    self.put("mirror.target.shadow.dead-letter", "shadow");
    assertThatThrownBy(() -> MirrorConfig.parse(self))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessage("mirror.target.shadow.dead-letter: was shadow, must be another target of the"
            + " policy than shadow itself (set it on the target whose copies go there)");

    Map<String, String> chain = keys(closedPort());
    chain.put("mirror.target.dl.dead-letter", "shadow");
    assertThatThrownBy(() -> MirrorConfig.parse(chain))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessageStartingWith("mirror.target.shadow.dead-letter: was dl, must be a target"
            + " without a dead letter of its own");

    Map<String, String> reasons = keys(closedPort());
    reasons.put("mirror.target.shadow.dead-letter.on", "CONNECT,LOST");
    assertThatThrownBy(() -> MirrorConfig.parse(reasons))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessage("mirror.target.shadow.dead-letter.on: was CONNECT,LOST, must be a"
            + " comma-separated list of CONNECT, TIMEOUT, TLS, IO, INVALID_REQUEST, OTHER,"
            + " QUEUE_FULL, CLOSED");
  }
}
