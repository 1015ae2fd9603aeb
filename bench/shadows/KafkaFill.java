import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes N copies to a topic as mirror-kafka's transport does (value = body, headers
 * {@code :method}, {@code :path}), for bench/cli-replay.sh: {@code java -cp
 * mirror-cli/target/mirror.jar bench/shadows/KafkaFill.java BOOTSTRAP TOPIC N}.
 */
public final class KafkaFill {
  public static void main(String[] args) {
    int count = Integer.parseInt(args[2]);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0], ProducerConfig.ACKS_CONFIG, "1",
        ProducerConfig.LINGER_MS_CONFIG, "5"), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(args[1],
            ("id-" + i).getBytes(StandardCharsets.UTF_8), new byte[0]);
        record.headers().add(":method", "GET".getBytes(StandardCharsets.UTF_8));
        record.headers().add(":path", ("/api/items/" + i).getBytes(StandardCharsets.UTF_8));
        record.headers().add("Host", "shop.example".getBytes(StandardCharsets.UTF_8));
        producer.send(record);
      }
      producer.flush();
    }
    System.out.println("published " + count + " records to " + args[1]);
  }
}
