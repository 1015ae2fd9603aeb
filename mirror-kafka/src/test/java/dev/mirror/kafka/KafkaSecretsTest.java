package dev.mirror.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 28: the producer's credentials never show where a configuration is shown. */
class KafkaSecretsTest {

  private static Map<String, String> keys(String password) {
    Map<String, String> keys = new HashMap<>();
    keys.put("mirror.host", "kafka://127.0.0.1:9");
    keys.put("mirror.kafka.security.protocol", "SASL_SSL");
    keys.put("mirror.kafka.sasl.mechanism", "PLAIN");
    keys.put("mirror.kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain"
        + ".PlainLoginModule required username=\"copies\" password=\"" + password + "\";");
    keys.put("mirror.kafka.ssl.truststore.password", password + "-trust");
    keys.put("mirror.kafka.ssl.key.password", password + "-key");
    return keys;
  }

  @Test
  void toString_showsNoKafkaPassword() {
    String shown = MirrorConfig.parse(keys("hunter2")).toString();
    assertThat(shown).doesNotContain("hunter2")
        .contains("mirror.kafka.sasl.jaas.config=[masked]")
        .contains("mirror.kafka.ssl.truststore.password=[masked]")
        .contains("mirror.kafka.ssl.key.password=[masked]")
        .contains("mirror.kafka.sasl.mechanism=PLAIN");
  }

  @Test
  void aChangeOfTheProducersSettings_isRefused_withoutShowingThem() {
    try (MirrorEngine engine = MirrorConfig.parse(keys("hunter2")).newEngine()) {
      assertThatThrownBy(() -> engine.reconfigure(keys("swordfish")))
          .hasMessageStartingWith("mirror.<transport>.*: was '{kafka={")
          .hasMessageContaining("sasl.jaas.config=[masked]")
          .hasMessageNotContaining("hunter2")
          .hasMessageNotContaining("swordfish");
    }
  }
}
