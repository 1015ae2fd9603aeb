package dev.mirror.kafka;

import dev.mirror.api.MirrorTransport;
import dev.mirror.api.MirrorTransportProvider;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code kafka://host:port} targets (the bootstrap server), found through {@link
 * java.util.ServiceLoader}: each copy is published as one record. Settings: {@code
 * mirror.kafka.topic} (default {@value KafkaTransport#DEFAULT_TOPIC}), {@code mirror.kafka.key}
 * ({@code request-id}, the default, or {@code header:<name>} for a sticky key), and any other
 * {@code mirror.kafka.<producer setting>} passed to the producer as it is.
 */
public final class KafkaTransportProvider implements MirrorTransportProvider {

  /** Made by {@link java.util.ServiceLoader}. */
  public KafkaTransportProvider() {}

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("kafka");
  }

  @Override
  public MirrorTransport create() {
    return create(Map.of());
  }

  @Override
  public MirrorTransport create(Map<String, String> settings) {
    return new KafkaTransport(settings);
  }
}
