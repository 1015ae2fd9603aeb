package dev.mirror.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;

/**
 * A KRaft broker for bench/load.sh's Kafka setups, in its own JVM: started as the tests start
 * theirs, with a topic {@code bench} of two partitions; writes its bootstrap address to the file
 * given, then serves until killed. Run with the module's test class path: {@code mvn -q -pl
 * mirror-kafka exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.mirror.kafka.BenchBroker
 * -Dexec.args=FILE}.
 */
public final class BenchBroker {

  private BenchBroker() {}

  public static void main(String[] args) throws Exception {
    KafkaClusterTestKit broker = KafkaMirrorTest.broker();
    String bootstrap = broker.bootstrapServers().split(",")[0];
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap))) {
      admin.createTopics(List.of(new NewTopic("bench", 2, (short) 1))).all()
          .get(30, TimeUnit.SECONDS);
    }
    Files.writeString(Path.of(args[0]), bootstrap + "\n");
    System.out.println("bench broker ready on " + bootstrap);
    Thread.currentThread().join();
  }
}
