package dev.mirror.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * A topic to replay, written {@code kafka://host:port[,host:port]/topic}.
 *
 * @param bootstrap the brokers, {@code host:port[,host:port]}
 * @param topic the topic
 */
record KafkaSource(String bootstrap, String topic) {

  /** The scheme that names a topic rather than a file: {@value}. */
  static final String SCHEME = "kafka://";

  /** True if {@code from} names a topic. */
  static boolean names(String from) {
    return from.startsWith(SCHEME);
  }

  /**
   * Checks, within {@code limit}, that a broker answers and has the topic (a consumer alone would
   * wait for them for ever). The consumer's settings (security) are used for the check.
   *
   * @throws IOException naming the brokers or the topic
   */
  void check(Map<String, String> consumerSettings, Duration limit) throws IOException,
      InterruptedException {
    Map<String, Object> settings = new HashMap<>(consumerSettings);
    settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) limit.toMillis());
    settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) limit.toMillis());
    try (Admin admin = Admin.create(settings)) {
      admin.describeTopics(List.of(topic)).allTopicNames()
          .get(limit.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new IOException("kafka://" + bootstrap + "/" + topic + ": no such topic");
      }
      throw new IOException("kafka://" + bootstrap + ": no broker answered within " + limit
          .toSeconds() + " s (" + e.getCause().getMessage() + ")");
    } catch (TimeoutException e) {
      throw new IOException("kafka://" + bootstrap + ": no broker answered within " + limit
          .toSeconds() + " s");
    }
  }

  /**
   * Reads {@code kafka://host:port[,host:port]/topic}.
   *
   * @throws IllegalArgumentException naming the option, for another form
   */
  static KafkaSource parse(String option, String from) {
    String rest = from.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException(option + ": was " + from
          + ", must be kafka://host:port[,host:port]/topic");
    }
    return new KafkaSource(rest.substring(0, slash), rest.substring(slash + 1));
  }
}
