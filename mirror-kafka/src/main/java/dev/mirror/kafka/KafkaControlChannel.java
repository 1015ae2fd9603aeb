package dev.mirror.kafka;

import dev.mirror.core.control.ControlChannel;
import dev.mirror.core.control.ControlUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A control store on one compacted Kafka topic of one partition (one order for every replica):
 * writes go through an idempotent producer ({@code acks=all}, bounded by the timeout), reading
 * through a consumer without a group (each replica reads the whole topic, from its first kept
 * record), on a thread of its own ({@code mirror-control}). The topic is made at first use
 * ({@code cleanup.policy=compact}, one partition); one with more partitions is refused.
 */
final class KafkaControlChannel implements ControlChannel {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaControlChannel.class);

  /** Settings this channel sets itself and a {@code mirror.control.kafka.*} key may not. */
  private static final Set<String> OWN = Set.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
      ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
      ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
      ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG,
      ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, ProducerConfig.ACKS_CONFIG,
      ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);

  private final String address;
  private final String bootstrap;
  private final String topic;
  private final Duration timeout;
  private final Map<String, String> settings;
  private final TopicPartition partition;
  private final KafkaProducer<String, byte[]> producer;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile boolean closed;
  private Thread reader;

  KafkaControlChannel(URI uri, Map<String, String> settings, Duration timeout) {
    this.bootstrap = uri.getHost() + ":" + uri.getPort();
    this.topic = uri.getPath().substring(1);
    if (!topic.matches("[A-Za-z0-9._-]{1,249}")) {
      throw new IllegalArgumentException("mirror.control: was " + uri + ", must name a Kafka"
          + " topic after the address (letters, digits, '.', '_' or '-')");
    }
    this.address = "kafka://" + bootstrap + "/" + topic;
    this.timeout = timeout;
    this.settings = checked(settings);
    this.partition = new TopicPartition(topic, 0);
    Properties producerProperties = properties(ProducerConfig.configNames());
    producerProperties.put(ProducerConfig.CLIENT_ID_CONFIG, "mirror-control");
    producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    producerProperties.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    String millis = Long.toString(Math.max(1, timeout.toMillis()));
    producerProperties.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
    producerProperties.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    producerProperties.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis);
    this.producer = new KafkaProducer<>(producerProperties, new StringSerializer(),
        new ByteArraySerializer());
  }

  /**
   * Each {@code mirror.control.kafka.<setting>} must be a setting of Kafka's producer, consumer
   * or admin client (security.protocol, sasl.*, ssl.*, ...), of the right type; a password is
   * never shown in the message.
   */
  private static Map<String, String> checked(Map<String, String> settings) {
    Map<String, ConfigDef.ConfigKey> known = new HashMap<>();
    known.putAll(AdminClientConfig.configDef().configKeys());
    known.putAll(ConsumerConfig.configDef().configKeys());
    known.putAll(ProducerConfig.configDef().configKeys());
    for (Map.Entry<String, String> setting : settings.entrySet()) {
      String name = setting.getKey();
      ConfigDef.ConfigKey key = known.get(name);
      if (key == null || OWN.contains(name)) {
        throw new IllegalArgumentException("mirror.control.kafka." + name + ": "
            + (key == null ? "unknown key" : "is set by mirror itself") + ", must be a setting"
            + " of Kafka's clients such as security.protocol, sasl.mechanism, sasl.jaas.config"
            + " or ssl.truststore.location");
      }
      try {
        Object value = ConfigDef.parseType(name, setting.getValue(), key.type);
        if (key.validator != null) {
          key.validator.ensureValid(name, value);
        }
      } catch (ConfigException e) {
        boolean secret = key.type == ConfigDef.Type.PASSWORD;
        throw new IllegalArgumentException("mirror.control.kafka." + name + ": was '"
            + (secret ? "[masked]" : setting.getValue()) + "', must be a valid " + name
            + " for Kafka's clients" + (secret ? "" : " (" + e.getMessage() + ")"));
      }
    }
    return Map.copyOf(settings);
  }

  /** The settings a client knows, with the bootstrap address. */
  private Properties properties(Set<String> names) {
    Properties properties = new Properties();
    settings.forEach((name, value) -> {
      if (names.contains(name)) {
        properties.put(name, value);
      }
    });
    properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return properties;
  }

  @Override
  public CompletableFuture<Long> publish(String key, byte[] value) {
    CompletableFuture<Long> written = new CompletableFuture<>();
    try {
      producer.send(new ProducerRecord<>(topic, 0, key, value), (metadata, failure) -> {
        if (failure == null) {
          written.complete(metadata.offset());
        } else {
          written.completeExceptionally(unavailable(failure));
        }
      });
    } catch (RuntimeException e) {
      written.completeExceptionally(unavailable(e));
    }
    return written;
  }

  private ControlUnavailableException unavailable(Throwable cause) {
    return new ControlUnavailableException("the control store " + address + " did not take the"
        + " change (" + cause.getClass().getSimpleName() + ")", cause);
  }

  @Override
  public void start(Listener listener) {
    // Made or checked at once when the broker answers: a topic of several partitions is refused.
    try {
      ensureTopic();
    } catch (TimeoutException | ExecutionException e) {
      LOG.warn("mirror fleet: the control store {} does not answer yet ({}): reading when it"
          + " does", address, e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reader = new Thread(() -> read(listener), "mirror-control");
    reader.setDaemon(true);
    reader.start();
  }

  private boolean topicReady;

  private void ensureTopic() throws InterruptedException, ExecutionException, TimeoutException {
    if (topicReady) {
      return;
    }
    Properties properties = properties(AdminClientConfig.configNames());
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "mirror-control");
    String millis = Long.toString(Math.max(1, timeout.toMillis()));
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    try (Admin admin = Admin.create(properties)) {
      TopicDescription description;
      try {
        description = admin.describeTopics(List.of(topic)).allTopicNames()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
        description = null;
      }
      if (description == null) {
        try {
          admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
              .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                  TopicConfig.CLEANUP_POLICY_COMPACT)))).all()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          LOG.info("mirror fleet: made the control topic {} (compacted, one partition)", address);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
            throw e;
          }
        }
      } else if (description.partitions().size() != 1) {
        throw new IllegalArgumentException("mirror.control: was " + address + ", must name a"
            + " topic of one partition (one order for every replica), has "
            + description.partitions().size());
      }
    }
    topicReady = true;
  }

  /** Longest pause between two attempts to read again after an unexpected failure. */
  private static final long MAX_PAUSE_MILLIS = 30_000;

  /** The offset after the last record given to the listener; -1 before the first. */
  private long next = -1;
  /** Whether the listener has been told it caught up (it is told once). */
  private boolean saidCaughtUp;
  /** What the back-off waits on, so that closing ends it. */
  private final Object pausing = new Object();

  /**
   * Reads until closed. An unexpected failure (a broker that refuses the client, a record the
   * listener could not take) does not end reading for good: it is logged, and after a pause that
   * doubles up to 30 s a new consumer reads on from the record after the last one given, so a
   * replica keeps following the fleet. A record whose handling threw is not given again.
   */
  private void read(Listener listener) {
    long pauseMillis = 200;
    long readTo = next;
    while (!closed) {
      try {
        readOnce(listener);
        return;
      } catch (WakeupException e) {
        return; // closed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Error e) {
        if (!closed) {
          LOG.error("mirror fleet: reading {} stopped", address, e);
        }
        return;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        if (next != readTo) { // it read on since the last failure: start the back-off again
          pauseMillis = 200;
          readTo = next;
        }
        LOG.error("mirror fleet: reading {} failed; reading on from offset {} in {} ms", address,
            Math.max(next, 0), pauseMillis, e);
        try {
          pause(pauseMillis);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
        pauseMillis = Math.min(pauseMillis * 2, MAX_PAUSE_MILLIS);
      }
    }
  }

  /** Waits before reading again; close() ends the wait at once. */
  private void pause(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (pausing) {
      long left;
      while (!closed && (left = deadline - System.nanoTime()) > 0) {
        TimeUnit.NANOSECONDS.timedWait(pausing, left);
      }
    }
  }

  /**
   * One consumer's life: from the beginning (or from the record after the last one given) until
   * closed, or until the topic is found unusable (logged), or until something throws.
   */
  private void readOnce(Listener listener) throws InterruptedException {
    Properties properties = properties(ConsumerConfig.configNames());
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "mirror-control");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    Duration wait = Duration.ofMillis(Math.max(1, timeout.toMillis()));
    Long end = saidCaughtUp ? Long.valueOf(-1L) : null;
    try (KafkaConsumer<String, byte[]> reading = new KafkaConsumer<>(properties,
        new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer = reading;
      if (closed) {
        return;
      }
      while (!topicReady && !closed) {
        try {
          ensureTopic();
        } catch (TimeoutException | ExecutionException | org.apache.kafka.common.KafkaException e) {
          LOG.debug("mirror fleet: {} does not answer yet", address, e);
          Thread.sleep(200); // a pause between tries, each of which waits up to the timeout
        } catch (IllegalArgumentException e) {
          LOG.error("mirror fleet: {}", e.getMessage());
          return;
        }
      }
      reading.assign(List.of(partition));
      if (next < 0) {
        reading.seekToBeginning(List.of(partition));
      } else {
        reading.seek(partition, next);
      }
      while (!closed) {
        if (end == null) {
          try {
            end = reading.endOffsets(List.of(partition), wait).get(partition);
          } catch (org.apache.kafka.common.errors.TimeoutException e) {
            continue;
          }
        }
        for (ConsumerRecord<String, byte[]> record : reading.poll(Duration.ofMillis(200))) {
          next = record.offset() + 1; // before handing it over: a record that throws is skipped
          listener.record(record.key(), record.value(), record.offset());
        }
        if (end >= 0) {
          long position;
          try {
            position = reading.position(partition, wait);
          } catch (org.apache.kafka.common.errors.TimeoutException e) {
            continue;
          }
          if (position >= end) {
            saidCaughtUp = true;
            listener.caughtUp(end - 1);
            end = -1L; // said once
          }
        }
      }
    }
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public void close() {
    closed = true;
    synchronized (pausing) {
      pausing.notifyAll();
    }
    KafkaConsumer<String, byte[]> reading = consumer;
    if (reading != null) {
      reading.wakeup();
    }
    if (reader != null) {
      try {
        reader.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    producer.close(Duration.ofSeconds(1));
  }
}
