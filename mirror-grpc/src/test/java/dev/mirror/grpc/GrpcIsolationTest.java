package dev.mirror.grpc;

import static dev.mirror.grpc.Primary.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.core.testing.BlackHole;
import dev.mirror.core.testing.ClosedPort;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import io.grpc.testing.protobuf.SimpleResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A shadow that is slow, never reads, refuses or resets: the primary's answers stay the same and
 * never wait for the copy; every copy is counted; the cap holds; closing leaves no thread behind.
 */
class GrpcIsolationTest {

  private static final int CALLS = 200;
  private static final int CLIENTS = 8;
  /** 96 KiB messages: more than a never-reading shadow's flow-control window takes. */
  private static final String BIG = "m".repeat(96 * 1024);

  @Test
  void slowShadow_halfASecondPerCall() throws Exception {
    try (RecordingShadow slow = new RecordingShadow(RecordingShadow.Behaviour.SLOW, 500, null)) {
      runAgainst(slow.address("grpc"), "x", 500);
    }
  }

  @Test
  void shadowThatNeverReads_flowControlWindowFull() throws Exception {
    try (RecordingShadow stalled = new RecordingShadow(RecordingShadow.Behaviour.NEVER_READ, 0,
        null)) {
      runAgainst(stalled.address("grpc"), BIG, 1_000);
    }
  }

  @Test
  void refusedPort() throws Exception {
    runAgainst("grpc://127.0.0.1:" + ClosedPort.find(), "x", 1_000);
  }

  @Test
  void blackHole_acceptsAndNeverAnswers() throws Exception {
    try (BlackHole hole = new BlackHole()) {
      runAgainst(hole.address().replace("http://", "grpc://"), "x", 1_000);
    }
  }

  @Test
  void shadowThatResetsEveryConnection() throws Exception {
    try (ServerSocket resetting = new ServerSocket(0, 100, InetAddress.getByName("127.0.0.1"))) {
      Thread acceptor = new Thread(() -> {
        while (!resetting.isClosed()) {
          try (Socket s = resetting.accept()) {
            s.setSoLinger(true, 0); // close with RST
          } catch (IOException closed) {
            return;
          }
        }
      }, "resetting-shadow");
      acceptor.setDaemon(true);
      acceptor.start();
      runAgainst("grpc://127.0.0.1:" + resetting.getLocalPort(), "x", 1_000);
    }
  }

  /**
   * Sends {@link #CALLS} unary calls from {@link #CLIENTS} threads through a primary mirroring to
   * {@code address}; each must answer as without mirroring, faster than the shadow could have
   * let it ({@code shadowMillis}: its delay, or the read timeout).
   */
  private static void runAgainst(String address, String text, long shadowMillis)
      throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    Map<String, String> keys = new HashMap<>(Map.of(
        "mirror.host", address,
        "mirror.timeout.connect", "500ms",
        "mirror.timeout.read", "1s",
        "mirror.max-in-flight", "16",
        "mirror.max-body-bytes", "262144"));
    MirrorServerInterceptor interceptor = MirrorServerInterceptor.create(keys);
    MirrorEngine engine = (MirrorEngine) interceptor.dispatcher();
    AtomicInteger maxInFlight = new AtomicInteger();
    List<Long> millis = new ArrayList<>();
    try (Primary primary = new Primary(interceptor)) {
      primary.blocking().unaryRpc(request("warm-up"));
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      try {
        List<Future<Long>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
          String message = text + i;
          calls.add(clients.submit(() -> {
            long start = System.nanoTime();
            SimpleResponse answer = primary.blocking().unaryRpc(request(message));
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(answer.getResponseMessage()).isEqualTo("echo:" + message);
            maxInFlight.accumulateAndGet(target(engine).inFlight(), Math::max);
            return took;
          }));
        }
        for (Future<Long> call : calls) {
          millis.add(call.get(30, TimeUnit.SECONDS));
        }
      } finally {
        clients.shutdownNow();
      }
      // Every copy ends: sent, failed or dropped, and nothing is left holding room.
      await().atMost(Duration.ofSeconds(20)).until(() -> target(engine).inFlight() == 0
          && settled(target(engine)) == target(engine).offered());
      assertThat(target(engine).offered()).isEqualTo(CALLS + 1);
      assertThat(maxInFlight.get()).isLessThanOrEqualTo(16);
    } finally {
      interceptor.close();
    }
    millis.sort(null);
    assertThat(millis.get(millis.size() - 1))
        .as("the slowest primary call, in ms, against a shadow that takes %d ms", shadowMillis)
        .isLessThan(shadowMillis);
    // Closing stops every thread mirroring started.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> !before.contains(t) && t.isAlive() && t.getName().startsWith("mirror"))
            .map(Thread::getName).collect(Collectors.toList())).isEmpty());
  }

  private static TargetStats target(MirrorEngine engine) {
    return engine.stats().targets().get(0);
  }

  private static long settled(TargetStats stats) {
    return stats.sent() + stats.failedTotal() + stats.droppedTotal();
  }
}
