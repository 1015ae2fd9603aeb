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

  /** Issue 30: the control store's own credentials, masked as the transport's are. */
  private static Map<String, String> controlKeys(String password) {
    Map<String, String> keys = new HashMap<>();
    keys.put("mirror.host", "http://127.0.0.1:9");
    keys.put("mirror.control", "kafka://127.0.0.1:9/mirror-control");
    keys.put("mirror.control.kafka.security.protocol", "SASL_SSL");
    keys.put("mirror.control.kafka.sasl.mechanism", "PLAIN");
    keys.put("mirror.control.kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain"
        + ".PlainLoginModule required username=\"fleet\" password=\"" + password + "\";");
    keys.put("mirror.control.kafka.ssl.truststore.password", password + "-trust");
    return keys;
  }

  @Test
  void theControlStoresCredentials_areMaskedWhereTheConfigurationIsShown() {
    String shown = MirrorConfig.parse(controlKeys("hunter2")).toString();
    assertThat(shown).doesNotContain("hunter2")
        .contains("mirror.control=kafka://127.0.0.1:9/mirror-control")
        .contains("mirror.control.kafka.sasl.jaas.config=[masked]")
        .contains("mirror.control.kafka.ssl.truststore.password=[masked]")
        .contains("mirror.control.kafka.sasl.mechanism=PLAIN");
  }

  @Test
  void aControlStoreSetting_isCheckedAtStartUp_byName_withoutShowingASecret() {
    Map<String, String> unknown = controlKeys("hunter2");
    unknown.put("mirror.control.kafka.acks", "1");
    assertThatThrownBy(() -> MirrorConfig.parse(unknown).newEngine())
        .hasMessageStartingWith("mirror.control.kafka.acks: is set by mirror itself");
    Map<String, String> typo = controlKeys("hunter2");
    typo.put("mirror.control.kafka.sasl.mechanisms", "PLAIN");
    assertThatThrownBy(() -> MirrorConfig.parse(typo).newEngine())
        .hasMessageStartingWith("mirror.control.kafka.sasl.mechanisms: unknown key, must be a"
            + " setting of Kafka's clients");
    Map<String, String> badTopic = controlKeys("hunter2");
    badTopic.put("mirror.control", "kafka://127.0.0.1:9/a%20b");
    assertThatThrownBy(() -> MirrorConfig.parse(badTopic).newEngine())
        .hasMessageStartingWith("mirror.control: was kafka://127.0.0.1:9/a%20b, must name a"
            + " Kafka topic");
  }
}
