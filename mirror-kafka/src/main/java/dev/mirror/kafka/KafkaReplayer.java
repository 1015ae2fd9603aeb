package dev.mirror.kafka;

import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.replay.Replay;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Sends the copies of a topic to a shadow, as one replica of a consumer group: start N replicas
 * with the same group and each takes a share of the partitions. A batch's offsets are committed
 * once its copies were sent (answered or failed): a replica that stops replays at most its last
 * batch again, never skips one. An optional rate cap per replica. The same report as the file
 * replayer.
 */
public final class KafkaReplayer {

  /**
   * What to replay and how.
   *
   * @param bootstrap the brokers, {@code host:port[,host:port]}
   * @param topic the topic the copies were published to
   * @param group the consumer group the replicas share
   * @param to the shadow's address
   * @param ratePerSecond the most copies this replica sends per second, or 0 for no cap
   * @param engineKeys further {@code mirror.*} keys for the engine (timeouts, TLS, filters)
   * @param consumerSettings further consumer settings, passed as they are
   */
  public record Options(String bootstrap, String topic, String group, String to,
      double ratePerSecond, Map<String, String> engineKeys, Map<String, String> consumerSettings) {}

  private KafkaReplayer() {}

  /** Told after each poll of the topic, on the replaying thread: must return quickly. */
  @FunctionalInterface
  public interface Polled {

    /**
     * A poll is done: its records sent (or failed) and their offsets committed.
     *
     * @param records how many records the poll brought, 0 for none
     * @param replay the replay so far ({@link Replay#records()}, {@link Replay#stats()})
     */
    void polled(int records, Replay replay);
  }

  /**
   * Replays until {@code stop} says so (checked between polls), then reports.
   *
   * @throws IllegalArgumentException (a {@code MirrorConfigException}) for a bad engine key
   */
  public static Replay.Report run(Options options, BooleanSupplier stop) throws InterruptedException {
    return run(options, stop, (records, replay) -> { });
  }

  /**
   * Replays until {@code stop} says so (checked between polls), telling {@code polled} after
   * each poll, then reports.
   *
   * @throws IllegalArgumentException (a {@code MirrorConfigException}) for a bad engine key
   */
  public static Replay.Report run(Options options, BooleanSupplier stop, Polled polled)
      throws InterruptedException {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("mirror.host", options.to());
    keys.putAll(options.engineKeys());
    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap());
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, options.group());
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
    properties.putAll(options.consumerSettings());
    long start = System.nanoTime();
    try (Replay replay = Replay.of(keys);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties,
            new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(options.topic()));
      while (!stop.getAsBoolean()) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
        if (batch.isEmpty()) {
          polled.polled(0, replay);
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> record : batch) {
          if (options.ratePerSecond() > 0) {
            long due = start + (long) (replay.records() * 1e9 / options.ratePerSecond());
            long wait = due - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
          }
          replay.send(request(record));
        }
        // At least once: the batch's copies are sent (or failed) before its offsets are kept.
        replay.awaitSent(Duration.ofMinutes(1));
        consumer.commitSync();
        polled.polled(batch.count(), replay);
      }
      return replay.finish();
    }
  }

  /** The record as the request it was a copy of. */
  static MirroredRequest request(ConsumerRecord<byte[], byte[]> record) {
    String method = "GET";
    String path = "/";
    Headers.Builder headers = Headers.builder();
    for (Header header : record.headers()) {
      String value = header.value() == null ? "" : new String(header.value(),
          StandardCharsets.UTF_8);
      switch (header.key()) {
        case KafkaTransport.METHOD -> method = value;
        case KafkaTransport.PATH -> path = value;
        default -> headers.add(header.key(), value);
      }
    }
    return MirroredRequest.builder().method(method).rawTarget(path).headers(headers.build())
        .body(record.value() == null ? new byte[0] : record.value()).build();
  }
}
