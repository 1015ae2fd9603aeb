package dev.mirror.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 34, item 3: a producer setting the producer would not take is refused when the engine
 * starts, naming the key, not at the first copy; README's block is valid as a .properties file.
 */
class KafkaSettingsTest {

  /** Reads text as a .properties file does: what a user who copies README's block gets. */
  private static Map<String, String> properties(String text) throws Exception {
    Properties properties = new Properties();
    properties.load(new StringReader(text));
    Map<String, String> keys = new TreeMap<>();
    properties.stringPropertyNames().forEach(k -> keys.put(k, properties.getProperty(k)));
    return keys;
  }

  @Test
  void readmesKafkaBlock_startsAnEngine_asAPropertiesFile() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher block = Pattern.compile("```properties\\n(mirror\\.host=kafka://.*?)```",
        Pattern.DOTALL).matcher(readme);
    assertThat(block.find()).as("README's Kafka properties block").isTrue();
    Map<String, String> keys = properties(block.group(1));
    assertThat(keys).containsEntry("mirror.kafka.buffer.memory", "33554432")
        .containsEntry("mirror.kafka.acks", "1")
        .containsEntry("mirror.kafka.key", "header:X-User-Id");
    try (MirrorEngine engine = MirrorConfig.parse(keys).newEngine()) {
      assertThat(engine.policies()).hasSize(1);
    }
  }

  @Test
  void aValueTheProducerWouldRefuse_stopsStartUp_namingTheKey() throws Exception {
    Map<String, String> keys = properties("""
        mirror.host=kafka://127.0.0.1:9
        mirror.kafka.buffer.memory=33554432        # bounds the producer's memory
        """);
    MirrorConfig config = MirrorConfig.parse(keys);
    assertThatThrownBy(config::newEngine)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("mirror.kafka.buffer.memory: was '33554432        # bounds the"
            + " producer's memory', must be a valid buffer.memory for the Kafka producer");
    assertThatThrownBy(() -> MirrorConfig.parse(properties("""
        mirror.host=kafka://127.0.0.1:9
        mirror.kafka.acks=1                        # any producer setting
        """)).newEngine())
        .hasMessageStartingWith("mirror.kafka.acks: was '1                        # any");
    assertThatThrownBy(() -> MirrorConfig.parse(properties("""
        mirror.host=kafka://127.0.0.1:9
        mirror.kafka.key=header:X-User-Id          # default: the request id
        """)).newEngine())
        .hasMessageStartingWith("mirror.kafka.key: was header:X-User-Id          # default");
    assertThatThrownBy(() -> MirrorConfig.parse(properties("""
        mirror.host=kafka://127.0.0.1:9
        mirror.kafka.ssl.truststore.type=PKCS12
        mirror.kafka.linger.ms=-5
        """)).newEngine())
        .hasMessageStartingWith("mirror.kafka.linger.ms: was '-5', must be a valid linger.ms");
  }
}
