package dev.mirror.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The option values the commands read, in this JVM: each form, and each refusal's message. */
class CliOptionValuesTest {

  @TempDir
  Path dir;

  @Test
  void kafkaSources_areBrokersAndOneTopic() {
    assertThat(KafkaSource.parse("--from", "kafka://k1:9092,k2:9092/orders-copies"))
        .isEqualTo(new KafkaSource("k1:9092,k2:9092", "orders-copies"));
    assertThatThrownBy(() -> KafkaSource.parse("--from", "kafka://k1:9092"))
        .hasMessage("--from: was kafka://k1:9092, must be kafka://host:port[,host:port]/topic");
    assertThatThrownBy(() -> KafkaSource.parse("--from", "kafka://k1:9092/a/b"))
        .hasMessageStartingWith("--from: was kafka://k1:9092/a/b, must be");
  }

  @Test
  void latencyRatios_areP50ColonP99_orOneForBoth() {
    assertThat(GateThresholds.latencyRatios("1.2:1.5")).containsExactly(1.2, 1.5);
    assertThat(GateThresholds.latencyRatios("2")).containsExactly(2.0, 2.0);
    assertThatThrownBy(() -> GateThresholds.latencyRatios("0:1")).hasMessage(
        "--max-latency-ratio: was 0:1, must be P50:P99 (1.2:1.5) or one ratio above 0 for both");
    assertThatThrownBy(() -> new GateThresholds(1.5, 0, 0, 0))
        .hasMessage("--max-diff-rate: was 1.5, must be in [0, 1]");
  }

  @Test
  void durations_takeMillisecondsToHours() {
    Durations durations = new Durations();
    assertThat(durations.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(durations.convert("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(durations.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(durations.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> durations.convert("soon"))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessage("was 'soon', must be a duration such as 500ms, 10s, 2m or 1h");
    assertThatThrownBy(() -> durations.convert("0s")).hasMessage("was '0s', must be above 0");
  }

  @Test
  void yaml_isFlattenedAsSpringDoes_listsJoinedByCommas() throws Exception {
    Path file = Files.writeString(dir.resolve("m.yaml"), """
        mirror:
          targets: [v1, v2]
          target:
            v1: {host: "http://v1:8080"}
          compare: true
        other: ignored
        """);
    assertThat(ConfigFile.read(file)).containsExactly(Map.entry("mirror.targets", "v1,v2"),
        Map.entry("mirror.target.v1.host", "http://v1:8080"), Map.entry("mirror.compare", "true"),
        Map.entry("other", "ignored"));
  }

  @Test
  void setOptions_mustBeMirrorKeys() {
    EngineKeys keys = new EngineKeys();
    new CommandLine(new Object() {
      @CommandLine.Mixin
      EngineKeys mixed = keys;
    }).parseArgs("--set", "mirror.timeout.read=5s", "--set", "mirror.compare.headers=a=b");
    assertThat(keys.keys()).containsExactly(Map.entry("mirror.timeout.read", "5s"),
        Map.entry("mirror.compare.headers", "a=b"));
    EngineKeys bad = new EngineKeys();
    new CommandLine(new Object() {
      @CommandLine.Mixin
      EngineKeys mixed = bad;
    }).parseArgs("--set", "timeout.read=5s");
    assertThatThrownBy(bad::keys).hasMessage("--set: was timeout.read=5s,"
        + " must be mirror.<key>=<value>");
  }
}
