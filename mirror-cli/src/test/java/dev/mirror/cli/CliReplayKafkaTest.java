package dev.mirror.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code mirror replay --from kafka://...} against a real KRaft broker started in this JVM (one
 * for the class), the jar run as a process: every record reaches the target, and the group's
 * offsets are committed (a second run of the same group gets nothing again).
 */
class CliReplayKafkaTest {

  private static KafkaClusterTestKit cluster;
  private static String bootstrap;

  @BeforeAll
  static void startBroker() throws Exception {
    cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    bootstrap = cluster.bootstrapServers().split(",")[0];
  }

  @AfterAll
  static void stopBroker() throws Exception {
    cluster.close();
  }

  private static void publish(String topic, int count) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all()
          .get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
            ("id-" + i).getBytes(StandardCharsets.UTF_8),
            ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        record.headers().add(":method", "POST".getBytes(StandardCharsets.UTF_8));
        record.headers().add(":path", ("/api/orders/" + i).getBytes(StandardCharsets.UTF_8));
        record.headers().add("Content-Type", "application/json".getBytes(StandardCharsets.UTF_8));
        producer.send(record);
      }
      producer.flush();
    }
  }

  @Test
  void aTopic_isReplayedAsAGroup_committed_soASecondRunGetsNothingAgain() throws Exception {
    publish("copies", 120);
    try (JsonServer target = new JsonServer(exchange -> "{}")) {
      String from = "kafka://" + bootstrap + "/copies";
      CliJar.Run first = CliJar.run(90, "replay", "--from", from, "--to", target.url(),
          "--group", "replayers", "--idle-exit", "3s", "--rate", "5000");
      assertThat(first.status()).as(first.toString()).isZero();
      assertThat(target.requests.get()).isEqualTo(120);
      assertThat(target.byPath).containsKey("/api/orders/119");
      assertThat(first.out()).contains("Replayed 120 records", "sent 120, failed 0");

      CliJar.Run again = CliJar.run(90, "replay", "--from", from, "--to", target.url(),
          "--group", "replayers", "--idle-exit", "3s");
      assertThat(again.status()).as(again.toString()).isZero();
      assertThat(again.out()).contains("Replayed 0 records");
      assertThat(target.requests.get()).isEqualTo(120);
    }
  }

  @Test
  void maxRecords_stopsAfterThem_andSpeed_isRefusedForATopic() throws Exception {
    publish("bounded", 50);
    try (JsonServer target = new JsonServer(exchange -> "{}")) {
      String from = "kafka://" + bootstrap + "/bounded";
      CliJar.Run run = CliJar.run(90, "replay", "--from", from, "--to", target.url(),
          "--max-records", "50");
      assertThat(run.status()).as(run.toString()).isZero();
      assertThat(target.requests.get()).isEqualTo(50);

      CliJar.Run speed = CliJar.run(30, "replay", "--from", from, "--to", target.url(),
          "--speed", "2");
      assertThat(speed.status()).isEqualTo(ExitStatus.USAGE);
      assertThat(speed.err()).contains("--speed: applies to files");
    }
  }

  @Test
  void aBrokerThatDoesNotAnswer_orAMissingTopic_isARuntimeFailure_exit3() throws Exception {
    CliJar.Run missing = CliJar.run(60, "replay", "--from", "kafka://" + bootstrap
        + "/no-such-topic", "--to", "http://127.0.0.1:1", "--idle-exit", "1s");
    assertThat(missing.status()).as(missing.toString()).isEqualTo(ExitStatus.RUNTIME_FAILURE);
    assertThat(missing.err()).contains("no-such-topic: no such topic");

    CliJar.Run down = CliJar.run(60, "replay", "--from", "kafka://127.0.0.1:1/copies", "--to",
        "http://127.0.0.1:1", "--idle-exit", "1s");
    assertThat(down.status()).as(down.toString()).isEqualTo(ExitStatus.RUNTIME_FAILURE);
    assertThat(down.err()).contains("kafka://127.0.0.1:1: no broker answered within 10 s");
  }
}
