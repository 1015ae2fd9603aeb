package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.control.ControlState;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 30: {@code mirror.config-file}, watched. A Kubernetes ConfigMap's update (a new
 * timestamped directory, {@code ..data} swapped to it by a rename) is one change; a file that does
 * not validate (half-written, or a bad value) keeps the last good configuration, counted.
 */
class ConfigFileWatchTest {

  @TempDir
  Path dir;

  private static final String HOST = "mirror.host=http://127.0.0.1:9\n";

  private static Map<String, String> keys(String text) throws IOException {
    Properties properties = new Properties();
    properties.load(new StringReader(text));
    Map<String, String> keys = new HashMap<>();
    properties.stringPropertyNames().forEach(k -> keys.put(k, properties.getProperty(k)));
    return keys;
  }

  private static MirrorEngine engine(Path file) throws IOException {
    Map<String, String> keys = keys(Files.readString(file));
    keys.put("mirror.config-file", file.toString());
    return MirrorConfig.parse(keys).newEngine();
  }

  private static double ratio(MirrorEngine engine) {
    String sampler = engine.policy("default").sampler().toString(); // Sampler.ratio(0.5)
    return Double.parseDouble(sampler.substring(sampler.indexOf('(') + 1, sampler.length() - 1));
  }

  /** Writes a ConfigMap version as the kubelet does: a new directory, then ..data renamed. */
  private void configMap(String version, String text) throws IOException {
    Path data = Files.createDirectory(dir.resolve("..2026_12_03_" + version));
    Files.writeString(data.resolve("mirror.properties"), text);
    Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), data.getFileName());
    Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void aConfigMapSwap_appliesOnce() throws IOException {
    configMap("1", HOST + "mirror.sample-ratio=0.5\n");
    Files.createSymbolicLink(dir.resolve("mirror.properties"), Path.of("..data",
        "mirror.properties"));
    try (MirrorEngine engine = engine(dir.resolve("mirror.properties"))) {
      assertThat(engine.configVersion()).isEqualTo(-1);
      assertThat(ratio(engine)).isEqualTo(0.5);

      configMap("2", HOST + "mirror.sample-ratio=0.25\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> engine.configVersion() == 1);
      assertThat(ratio(engine)).isEqualTo(0.25);

      // The swap's several events made one change: the next swap is version 2, not 3.
      configMap("3", HOST + "mirror.sample-ratio=0.125\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> ratio(engine) == 0.125);
      assertThat(engine.configVersion()).isEqualTo(2);
      assertThat(engine.controlState().refused()).isZero();
    }
  }

  @Test
  void aHalfWrittenOrInvalidFile_keepsTheLastGoodConfiguration_countedWithTheKey()
      throws IOException {
    Path file = dir.resolve("mirror.properties");
    Files.writeString(file, HOST + "mirror.sample-ratio=0.5\n");
    try (MirrorEngine engine = engine(file)) {
      // Written in place, cut off in the middle of a key.
      Files.writeString(file, HOST + "mirror.sample-rat");
      await().atMost(Duration.ofSeconds(10)).until(() -> engine.controlState().refused() == 1);
      ControlState state = engine.controlState();
      assertThat(state.lastError()).startsWith("mirror.sample-rat: unknown key");
      assertThat(state.version()).isEqualTo(-1);
      assertThat(ratio(engine)).isEqualTo(0.5);

      Files.writeString(file, HOST + "mirror.sample-ratio=1.5\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> engine.controlState().refused() == 2);
      assertThat(engine.controlState().lastError())
          .isEqualTo("mirror.sample-ratio: was 1.5, must be in [0.00001, 1]");
      assertThat(ratio(engine)).isEqualTo(0.5);

      // An engine key cannot change while the engine runs: refused too.
      Files.writeString(file, HOST + "mirror.dispatch-threads=7\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> engine.controlState().refused() == 3);
      assertThat(engine.controlState().lastError()).startsWith("mirror.dispatch-threads: was 7");

      Files.writeString(file, HOST + "mirror.sample-ratio=0.75\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> engine.configVersion() == 1);
      assertThat(ratio(engine)).isEqualTo(0.75);
      assertThat(engine.controlState().refused()).isEqualTo(3);
    }
  }

  @Test
  void aFileThatCannotBeWatched_stopsStartUp_andTheStoreExcludesIt() {
    assertThatThrownBy(() -> MirrorConfig.parse(Map.of("mirror.host", "http://127.0.0.1:9",
        "mirror.config-file", dir.resolve("missing/mirror.properties").toString())).newEngine())
        .isInstanceOf(MirrorConfigException.class)
        .hasMessageStartingWith("mirror.config-file: was " + dir.resolve("missing")
            + "/mirror.properties, must be a file in a directory that can be watched");
    assertThatThrownBy(() -> MirrorConfig.parse(Map.of("mirror.host", "http://127.0.0.1:9",
        "mirror.control.timeout", "2s")))
        .hasMessage("mirror.control.timeout: is not used without mirror.control (the control"
            + " store's address)");
    assertThatThrownBy(() -> MirrorConfig.parse(Map.of("mirror.host", "http://127.0.0.1:9",
        "mirror.control", "etcd://127.0.0.1:2379/mirror")))
        .hasMessage("mirror.control: was etcd://127.0.0.1:2379/mirror, must be a store address"
            + " <scheme>://host:port/<name> of a store on the class path, such as"
            + " kafka://kafka-1:9092/mirror-control (kafka comes with mirror-kafka)");
  }
}
