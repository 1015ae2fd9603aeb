package dev.mirror.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.replay.Replay;
import dev.mirror.core.stats.TargetStats;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real KRaft broker in this JVM (one for the class): publish, replay as a group, a dead broker. */
class KafkaMirrorTest {

  private static KafkaClusterTestKit cluster;
  private static String bootstrap;

  @BeforeAll
  static void startBroker() throws Exception {
    cluster = broker();
    bootstrap = cluster.bootstrapServers();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    cluster.close();
  }

  static KafkaClusterTestKit broker() throws Exception {
    KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .build();
    kit.format();
    kit.startup();
    kit.waitForReadyBrokers();
    return kit;
  }

  private static void createTopic(String name, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static MirroredRequest request(int i) {
    return MirroredRequest.builder().method("POST").rawTarget("/api/orders/" + i + "?v=1")
        .headers(Headers.of("Content-Type", "application/octet-stream", "X-User", "u" + (i % 3)))
        .body(new byte[] {(byte) i, 0, (byte) 0xff, '\n'}).build();
  }

  private static MirrorEngine publisher(String topic, String... extra) {
    Map<String, String> keys = new HashMap<>(Map.of(
        "mirror.host", "kafka://" + bootstrap.split(",")[0],
        "mirror.kafka.topic", topic));
    for (int i = 0; i < extra.length; i += 2) {
      keys.put(extra[i], extra[i + 1]);
    }
    return MirrorConfig.parse(keys).newEngine();
  }

  /** Waits until the producer has the topic's metadata: a first copy went through. */
  private static void warm(MirrorEngine engine) {
    MirroredRequest warmUp = MirroredRequest.builder().method("GET").rawTarget("/warm-up").build();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      engine.submit(warmUp);
      return engine.stats().target("default").sent() > 0;
    });
  }

  /** Publishes copies 1 to {@code count} once warm; all of them must reach the broker. */
  private static void publish(MirrorEngine engine, int count) {
    warm(engine);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> engine.stats().target("default").inFlight() == 0);
    long before = engine.stats().target("default").sent();
    for (int i = 1; i <= count; i++) {
      MirroredRequest next = request(i);
      // The target's max-in-flight may be full for a moment: submit again until taken.
      await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(1)).until(() -> engine.submit(next).accepted());
    }
    await().atMost(Duration.ofSeconds(30))
        .until(() -> engine.stats().target("default").sent() == before + count);
  }

  @Test
  void copies_arriveByteExact_keyedByRequestId_withTheirHeaders() throws Exception {
    createTopic("exact", 1);
    try (MirrorEngine engine = publisher("exact")) {
      publish(engine, 20);
    }
    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, "check");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of("exact"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (records.stream().filter(r -> new String(r.headers().lastHeader(":path").value(),
          StandardCharsets.UTF_8).startsWith("/api/orders/20")).count() == 0
          && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    ConsumerRecord<byte[], byte[]> last = records.get(records.size() - 1);
    MirroredRequest sent = request(20);
    assertThat(last.value()).isEqualTo(sent.bodyBytes());
    assertThat(new String(last.headers().lastHeader(":method").value(), StandardCharsets.UTF_8))
        .isEqualTo("POST");
    assertThat(new String(last.headers().lastHeader(":path").value(), StandardCharsets.UTF_8))
        .isEqualTo(sent.rawTarget());
    assertThat(new String(last.headers().lastHeader("X-User").value(), StandardCharsets.UTF_8))
        .isEqualTo("u2");
    String id = new String(last.headers().lastHeader("X-Mirror-Request-Id").value(),
        StandardCharsets.UTF_8);
    assertThat(new String(last.key(), StandardCharsets.UTF_8)).isEqualTo(id);
    assertThat(KafkaReplayer.request(last).rawTarget()).isEqualTo(sent.rawTarget());
  }

  @Test
  void twoReplicasInOneGroup_shareTheWork_withoutDuplicates() throws Exception {
    createTopic("fleet", 2);
    Set<String> received = ConcurrentHashMap.newKeySet();
    List<String> duplicates = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (MockWebServer shadow = new MockWebServer()) {
      shadow.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          if (request.getTarget().equals("/warm-up")) {
            return new MockResponse.Builder().code(200).build();
          }
          if (!received.add(request.getTarget())) {
            duplicates.add(request.getTarget());
          }
          return new MockResponse.Builder().code(200).build();
        }
      });
      shadow.start(InetAddress.getByName("127.0.0.1"), 0);
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService replicas = Executors.newFixedThreadPool(2);
      try {
        List<Future<Replay.Report>> reports = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
          reports.add(replicas.submit(() -> KafkaReplayer.run(new KafkaReplayer.Options(
              bootstrap, "fleet", "replayers", "http://127.0.0.1:" + shadow.getPort(), 0,
              Map.of(), Map.of()), stop::get)));
        }
        // Both replicas hold a partition before anything is published.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap))) {
          await().atMost(Duration.ofSeconds(60)).until(() -> admin
              .describeConsumerGroups(List.of("replayers")).all().get().get("replayers")
              .members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty())
              .count() == 2);
        }
        try (MirrorEngine engine = publisher("fleet")) {
          publish(engine, 200);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == 200);
        stop.set(true);
        long total = 0;
        for (Future<Replay.Report> report : reports) {
          Replay.Report done = report.get(60, TimeUnit.SECONDS);
          assertThat(done.sent()).as("each replica took a share").isPositive();
          assertThat(done.failedTotal()).isZero();
          total += done.sent();
        }
        assertThat(total).isGreaterThanOrEqualTo(200); // and the warm-up copies
        assertThat(received).hasSize(200);
        assertThat(duplicates).isEmpty();
      } finally {
        stop.set(true);
        replicas.shutdownNow();
      }
    }
  }

  @Test
  void aStoppedBroker_isCounted_andNeverBlocksTheCaller() throws Exception {
    KafkaClusterTestKit doomed = broker();
    String address = doomed.bootstrapServers().split(",")[0];
    try (MirrorEngine engine = MirrorConfig.parse(Map.of(
        "mirror.host", "kafka://" + address,
        "mirror.kafka.topic", "doomed",
        "mirror.kafka.delivery.timeout.ms", "3000",
        "mirror.kafka.request.timeout.ms", "1000",
        "mirror.circuit.failure-threshold", "1000000")).newEngine()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        engine.submit(request(0));
        return engine.stats().target("default").sent() > 0;
      });
      doomed.close();
      long slowest = 0;
      for (int i = 0; i < 200; i++) {
        long start = System.nanoTime();
        engine.submit(request(i));
        slowest = Math.max(slowest, System.nanoTime() - start);
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).isLessThan(500);
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        TargetStats t = engine.stats().target("default");
        return t.inFlight() == 0 && t.failedTotal() + t.droppedTotal() >= 200;
      });
    }
  }

  @Test
  void aControlRecordTheListenerCannotTake_isSkipped_andTheReplicaReadsOn() throws Exception {
    java.util.concurrent.BlockingQueue<String> given =
        new java.util.concurrent.LinkedBlockingQueue<>();
    java.util.concurrent.atomic.AtomicInteger caughtUp =
        new java.util.concurrent.atomic.AtomicInteger();
    try (KafkaControlChannel channel = new KafkaControlChannel(
        java.net.URI.create("kafka://" + bootstrap.split(",")[0] + "/control-poison"), Map.of(),
        Duration.ofSeconds(10))) {
      channel.publish("a", bytes("1")).get(30, TimeUnit.SECONDS);
      channel.start(new dev.mirror.core.control.ControlChannel.Listener() {
        @Override
        public void record(String key, byte[] value, long version) {
          given.add(key);
          if (key.equals("poison")) {
            throw new IllegalStateException("this replica cannot take it");
          }
        }

        @Override
        public void caughtUp(long version) {
          caughtUp.incrementAndGet();
        }
      });
      assertThat(given.poll(30, TimeUnit.SECONDS)).isEqualTo("a");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(caughtUp).hasValue(1));
      channel.publish("poison", bytes("2")).get(30, TimeUnit.SECONDS);
      channel.publish("b", bytes("3")).get(30, TimeUnit.SECONDS);

      assertThat(given.poll(30, TimeUnit.SECONDS)).isEqualTo("poison");
      assertThat(given.poll(30, TimeUnit.SECONDS)).as("read on after the failure, skipping it")
          .isEqualTo("b");
      channel.publish("c", bytes("4")).get(30, TimeUnit.SECONDS);
      assertThat(given.poll(30, TimeUnit.SECONDS)).as("nothing given twice").isEqualTo("c");
      assertThat(caughtUp).as("caught up is said once, not again after reading on").hasValue(1);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
