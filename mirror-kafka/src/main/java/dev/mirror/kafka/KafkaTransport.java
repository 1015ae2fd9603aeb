package dev.mirror.kafka;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.api.TransportFullException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each copy as one Kafka record: the key is the request id (or the value of a sticky
 * header), the value the body, the headers the copy's headers plus {@code :method} and {@code
 * :path} (names no HTTP header can have), so a replayer rebuilds the request exactly. One producer
 * per bootstrap address, with {@code max.block.ms=0}: a send never waits, for memory ({@code
 * buffer.memory} bounds the producer) or for metadata; a copy the producer has no room for, or
 * that comes before the producer first had the topic's metadata (the first fraction of a second),
 * is dropped ({@code QUEUE_FULL}); one it cannot send later (broker down) fails and is counted
 * like any other.
 */
final class KafkaTransport implements MirrorTransport {

  static final String DEFAULT_TOPIC = "mirror-copies";
  static final String METHOD = ":method";
  static final String PATH = ":path";

  private static final Logger LOG = LoggerFactory.getLogger(KafkaTransport.class);

  private final String topic;
  private final String stickyHeader;
  private final Map<String, String> producerSettings;
  private final Map<String, KafkaProducer<byte[], byte[]>> producers = new ConcurrentHashMap<>();
  private volatile boolean closed;
  /** Set once the producer has had the topic's metadata: before, a copy cannot go yet. */
  private volatile boolean ready;

  KafkaTransport(Map<String, String> settings) {
    Map<String, String> passed = new HashMap<>(settings);
    this.topic = passed.getOrDefault("topic", DEFAULT_TOPIC);
    passed.remove("topic");
    String key = passed.getOrDefault("key", "request-id");
    passed.remove("key");
    if (key.equals("request-id")) {
      this.stickyHeader = null;
    } else if (key.startsWith("header:")
        && key.substring("header:".length()).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
      this.stickyHeader = key.substring("header:".length());
    } else {
      throw new IllegalArgumentException("mirror.kafka.key: was " + key
          + ", must be request-id or header:<name> (a header name: no blank)");
    }
    Map<String, ConfigDef.ConfigKey> producerKeys = ProducerConfig.configDef().configKeys();
    for (Map.Entry<String, String> setting : passed.entrySet()) {
      String name = setting.getKey();
      ConfigDef.ConfigKey producerKey = producerKeys.get(name);
      if (producerKey == null) {
        throw new IllegalArgumentException("mirror.kafka." + name + ": unknown key, must be"
            + " topic, key or a producer setting (" + ProducerConfig.configNames().size()
            + " of them, such as acks, compression.type, buffer.memory)");
      }
      // Checked now, as the producer would (its type and its rule), not at the first copy.
      try {
        Object value = ConfigDef.parseType(name, setting.getValue(), producerKey.type);
        if (producerKey.validator != null) {
          producerKey.validator.ensureValid(name, value);
        }
      } catch (ConfigException e) {
        boolean secret = producerKey.type == ConfigDef.Type.PASSWORD;
        throw new IllegalArgumentException("mirror.kafka." + name + ": was '"
            + (secret ? "[masked]" : setting.getValue()) + "', must be a valid " + name
            + " for the Kafka producer" + (secret ? "" : " (" + e.getMessage() + ")"));
      }
    }
    this.producerSettings = Map.copyOf(passed);
  }

  @Override
  public CompletableFuture<ShadowResponse> send(ShadowRequest copy) {
    CompletableFuture<ShadowResponse> result = new CompletableFuture<>();
    try {
      KafkaProducer<byte[], byte[]> producer = producer(copy.target().authority());
      RecordHeaders headers = new RecordHeaders();
      headers.add(METHOD, copy.method().getBytes(StandardCharsets.US_ASCII));
      String address = copy.target().address();
      String uri = copy.uri().toString();
      headers.add(PATH, (uri.startsWith(address) ? uri.substring(address.length())
          : copy.uri().getRawPath()).getBytes(StandardCharsets.UTF_8));
      Headers http = copy.headers();
      for (int i = 0; i < http.size(); i++) {
        headers.add(http.name(i), http.value(i).getBytes(StandardCharsets.UTF_8));
      }
      String keyText = stickyHeader == null ? copy.requestId() : http.first(stickyHeader);
      byte[] key = keyText == null ? null : keyText.getBytes(StandardCharsets.UTF_8);
      producer.send(new ProducerRecord<>(topic, null, key, bytes(copy.body()), headers),
          (metadata, failure) -> {
            if (failure == null) {
              result.complete(PUBLISHED);
            } else if (failure instanceof BufferExhaustedException) {
              result.completeExceptionally(full(failure));
            } else if (!ready && failure instanceof org.apache.kafka.common.errors.TimeoutException) {
              TransportFullException notYet = new TransportFullException("the Kafka producer is"
                  + " still fetching the metadata of topic " + topic);
              notYet.initCause(failure);
              result.completeExceptionally(notYet);
            } else {
              result.completeExceptionally(failure);
            }
          });
    } catch (BufferExhaustedException e) {
      result.completeExceptionally(full(e));
    } catch (RecordTooLargeException | IllegalArgumentException e) {
      result.completeExceptionally(new IllegalArgumentException(e.getMessage(), e));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result;
  }

  private static TransportFullException full(Throwable cause) {
    TransportFullException full = new TransportFullException("the Kafka producer's buffer.memory"
        + " is full: the broker takes copies slower than they come");
    full.initCause(cause);
    return full;
  }

  /** What a published copy reports: the broker took it. */
  private static final ShadowResponse PUBLISHED = new ShadowResponse(201, Headers.empty());

  private static byte[] bytes(ByteBuffer body) {
    byte[] bytes = new byte[body.remaining()];
    body.get(bytes);
    return bytes;
  }

  private KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    KafkaProducer<byte[], byte[]> producer = producers.get(bootstrap);
    if (producer != null) {
      return producer;
    }
    synchronized (producers) {
      if (closed) {
        throw new IllegalStateException("the Kafka transport is closed");
      }
      return producers.computeIfAbsent(bootstrap, this::newProducer);
    }
  }

  private KafkaProducer<byte[], byte[]> newProducer(String bootstrap) {
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    properties.put(ProducerConfig.CLIENT_ID_CONFIG, "mirror");
    properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    properties.putAll(producerSettings);
    // Never make the caller wait: not for memory, not for metadata.
    properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "0");
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties,
        new ByteArraySerializer(), new ByteArraySerializer());
    warmUp(producer);
    return producer;
  }

  /**
   * Asks for the topic's metadata until it comes (each ask returns at once, max.block.ms being
   * 0), on a short-lived thread, so that copies do not fail for want of it longer than needed.
   */
  private void warmUp(KafkaProducer<byte[], byte[]> producer) {
    Thread thread = new Thread(() -> {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!closed && System.nanoTime() - deadline < 0) {
        try {
          producer.partitionsFor(topic);
          ready = true;
          return;
        } catch (RuntimeException notYet) {
          try {
            Thread.sleep(50); // the metadata request is on its way
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }, "mirror-kafka-metadata");
    thread.setDaemon(true);
    thread.start();
  }

  /** Every future completes: by the broker's answer, or {@code delivery.timeout.ms} at most. */
  @Override
  public boolean enforcesTimeouts() {
    return false;
  }

  /** Sends what is buffered (within 5 s), then closes the producers. */
  @Override
  public void close() {
    synchronized (producers) {
      closed = true;
    }
    for (KafkaProducer<byte[], byte[]> producer : producers.values()) {
      try {
        producer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warn("mirror: closing a Kafka producer failed: {}", e.getMessage());
      }
    }
  }
}
