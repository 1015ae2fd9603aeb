package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every way a shadow can fail, under concurrent load through Jetty with 100 % mirroring: the
 * primary never fails or changes, copies in flight stay under the cap, each outcome is counted
 * under its own reason, and after close() no mirroring thread or connection is left.
 */
class ShadowFaultsTest {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private static final int CAP = 8;

  enum Fault {
    CONNECTION_REFUSED("connection refused", null),
    BLACK_HOLE("black hole (accepts, never answers)", FaultyShadow.Mode.BLACK_HOLE),
    SLOW("slow (answers after 0.5 s)", FaultyShadow.Mode.SLOW),
    TRICKLE("trickle (1 byte per second)", FaultyShadow.Mode.TRICKLE),
    SERVER_ERROR("5xx answers", FaultyShadow.Mode.SERVER_ERROR),
    RESET("connection reset mid-response", FaultyShadow.Mode.RESET),
    TLS_FAILURE("TLS handshake failure", FaultyShadow.Mode.NOT_TLS),
    UNRESOLVABLE("unresolvable host", null),
    HUGE_RESPONSE("100 MB response", FaultyShadow.Mode.HUGE);

    final String description;
    final FaultyShadow.Mode mode;

    Fault(String description, FaultyShadow.Mode mode) {
      this.description = description;
      this.mode = mode;
    }
  }

  /**
   * One engine before the measured ones: the selector thread of the very first JDK HttpClient in
   * a JVM (JDK 17) outlives close() and GC, while every later one ends within seconds; an engine
   * alone, with no container, is enough to show it. A one-time, bounded JDK effect not yet
   * explained (see the note); the per-fault checks below hold for every engine after it.
   */
  @org.junit.jupiter.api.BeforeAll
  static void warmUp() throws Exception {
    try (FaultyShadow s = new FaultyShadow(FaultyShadow.Mode.SERVER_ERROR)) {
      MirrorEngine engine = MirrorConfig.parse(Map.of("mirror.host", s.address())).newEngine();
      for (int i = 0; i < 10; i++) {
        engine.submit(dev.mirror.api.MirroredRequest.builder().build());
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> engine.stats().target("default").sent() == 10);
      engine.close();
    }
  }

  @AfterAll
  static void writeRecord() {
    ReliabilityRecord.write();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Fault.class)
  void shadowFault_costsThePrimaryNothing_andIsCountedUnderItsReason(Fault fault)
      throws Exception {
    int threadsBefore = selectorThreads();
    FaultyShadow shadow = fault.mode == null ? null : new FaultyShadow(fault.mode);
    String address = switch (fault) {
      case CONNECTION_REFUSED -> "http://127.0.0.1:" + closedPort();
      case UNRESOLVABLE -> "http://no-such-shadow.invalid";
      default -> shadow.address();
    };
    boolean huge = fault == Fault.HUGE_RESPONSE;
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("mirror.host", address);
    keys.put("mirror.max-in-flight", String.valueOf(huge ? 2 : CAP));
    keys.put("mirror.timeout.connect", "500ms");
    keys.put("mirror.timeout.read", huge ? "20s" : "1s");
    keys.put("mirror.close-timeout", "1s");
    MirrorEngine engine = MirrorConfig.parse(keys).newEngine();
    Container primary = Container.jetty(new MirrorFilter(engine), new TestApp());
    long heapBefore = heapAfterGc();
    try {
      int clients = huge ? 2 : 8;
      int perClient = huge ? 4 : 40;
      AtomicInteger maxInFlight = new AtomicInteger();
      Load load = load(primary, clients, perClient, stats -> maxInFlight.accumulateAndGet(
          stats.inFlight(), Math::max), engine);

      assertThat(load.failures).as("primary failures or altered answers").isEmpty();
      assertThat(maxInFlight.get()).isLessThanOrEqualTo(huge ? 2 : CAP);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> engine.stats().target("default").inFlight() == 0);
      TargetStats stats = engine.stats().target("default");
      assertThat(engine.stats().policy("default").submitted()).isEqualTo(load.requests);
      assertThat(stats.sent() + stats.failedTotal() + stats.droppedTotal())
          .isEqualTo(load.requests);
      expectCounted(fault, stats);
      if (huge) {
        long retained = heapAfterGc() - heapBefore;
        assertThat(retained).as("bytes retained after two 100 MB answers")
            .isLessThan(32L * 1024 * 1024);
      }

      engine.close();
      primary.close();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .alias("no mirror thread, no extra HttpClient selector, no open shadow connection")
          .untilAsserted(() -> {
            System.gc();
            assertThat(mirrorThreads()).isEmpty();
            assertThat(selectorThreads()).isLessThanOrEqualTo(threadsBefore);
            assertThat(shadow == null ? 0 : shadow.openConnections()).isZero();
          });
      ReliabilityRecord.row("Shadow faults", fault.description,
          load.requests + "/" + load.requests + " answered as without mirroring",
          describe(stats) + "; in flight at most " + maxInFlight.get() + " (cap "
              + (huge ? 2 : CAP) + "); after close: no mirror thread, no open connection");
    } finally {
      engine.close();
      primary.close();
      if (shadow != null) {
        shadow.close();
      }
    }
  }

  private static void expectCounted(Fault fault, TargetStats stats) {
    switch (fault) {
      case CONNECTION_REFUSED, UNRESOLVABLE -> {
        assertThat(stats.failed(FailureReason.CONNECT)).isPositive();
        assertThat(stats.failedTotal()).isEqualTo(stats.failed(FailureReason.CONNECT));
      }
      case BLACK_HOLE -> {
        assertThat(stats.failed(FailureReason.TIMEOUT)).isPositive();
        assertThat(stats.dropped(DropReason.QUEUE_FULL)).isPositive();
      }
      case SLOW -> {
        assertThat(stats.sent()).isPositive();
        assertThat(stats.failedTotal()).isZero();
        assertThat(stats.dropped(DropReason.QUEUE_FULL)).isPositive();
      }
      case TRICKLE -> assertThat(stats.failed(FailureReason.TIMEOUT)).isPositive();
      case SERVER_ERROR -> {
        assertThat(stats.responses(5)).isPositive().isEqualTo(stats.sent());
        assertThat(stats.failedTotal()).isZero();
      }
      case RESET -> assertThat(stats.failed(FailureReason.IO)).isPositive();
      case TLS_FAILURE -> {
        assertThat(stats.failed(FailureReason.TLS)).isPositive();
        assertThat(stats.failedTotal()).isEqualTo(stats.failed(FailureReason.TLS));
      }
      case HUGE_RESPONSE -> {
        assertThat(stats.responses(2)).isPositive();
        assertThat(stats.failedTotal()).isZero();
      }
      default -> throw new AssertionError(fault);
    }
  }

  static String describe(TargetStats stats) {
    List<String> parts = new ArrayList<>();
    parts.add("sent " + stats.sent());
    stats.responsesByClass().forEach((c, n) -> {
      if (n > 0 && c > 0) {
        parts.add(c + "xx " + n);
      }
    });
    stats.failed().forEach((reason, n) -> {
      if (n > 0) {
        parts.add("failed " + reason + " " + n);
      }
    });
    stats.dropped().forEach((reason, n) -> {
      if (n > 0) {
        parts.add("dropped " + reason + " " + n);
      }
    });
    return String.join(", ", parts);
  }

  /** What the clients saw: any primary answer that is not the expected one is a failure. */
  record Load(int requests, List<String> failures) {}

  static Load load(Container primary, int clients, int perClient, Consumer<TargetStats> sample,
      MirrorEngine engine) throws Exception {
    return load(primary, clients, perClient, 1024, sample, engine);
  }

  /** Sends POSTs of about {@code bodySize} bytes; samples the engine's stats meanwhile if given. */
  static Load load(Container primary, int clients, int perClient, int bodySize,
      Consumer<TargetStats> sample, MirrorEngine engine) throws Exception {
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean done = new AtomicBoolean();
    Thread sampler = new Thread(() -> {
      while (!done.get() && engine != null) {
        sample.accept(engine.stats().target("default"));
        try {
          TimeUnit.MILLISECONDS.sleep(2); // sampling interval, not synchronisation
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.start();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        work.add(pool.submit(() -> {
          for (int i = 0; i < perClient; i++) {
            byte[] body = MirrorFilterContract.bytes(bodySize - client * 7 - i % 5);
            String path = "/echo/" + client + "-" + i;
            String expected = "POST " + path + "?null " + TestApp.digest(body);
            try {
              HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(
                  URI.create(primary.url(path))).timeout(Duration.ofSeconds(20))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                  HttpResponse.BodyHandlers.ofString());
              if (answer.statusCode() != 200 || !answer.body().equals(expected)) {
                failures.add(path + ": " + answer.statusCode() + " " + answer.body());
              }
            } catch (Exception e) {
              failures.add(path + ": " + e);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : work) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      done.set(true);
      sampler.join(5_000);
      pool.shutdownNow();
    }
    return new Load(clients * perClient, failures);
  }

  static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  static List<String> mirrorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("mirror-"))
        .map(Thread::getName).collect(Collectors.toList());
  }

  /** The JDK HttpClient's selector threads; ours end when their clients are collected (JDK 17). */
  static int selectorThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().endsWith("-SelectorManager")).count();
  }

  static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
