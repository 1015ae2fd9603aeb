package dev.mirror.kafka;

import dev.mirror.core.control.ControlChannel;
import dev.mirror.core.control.ControlChannelProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code mirror.control=kafka://host:port/topic}: a fleet's control store on one
 * compacted topic of one partition, found through {@link java.util.ServiceLoader}. Settings:
 * {@code mirror.control.kafka.<setting>}, any setting of Kafka's clients (the store's own
 * credentials: {@code security.protocol}, {@code sasl.*}, {@code ssl.*}), masked wherever a
 * configuration is shown.
 */
public final class KafkaControlProvider implements ControlChannelProvider {

  /** Made by {@link java.util.ServiceLoader}. */
  public KafkaControlProvider() {}

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("kafka");
  }

  @Override
  public ControlChannel open(URI address, Map<String, String> settings, Duration timeout) {
    return new KafkaControlChannel(address, settings, timeout);
  }
}
