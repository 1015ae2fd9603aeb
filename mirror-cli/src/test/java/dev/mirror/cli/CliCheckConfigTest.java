package dev.mirror.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mirror check-config} on properties and YAML files, run as a process. */
class CliCheckConfigTest {

  @TempDir
  Path dir;

  @Test
  void aMisspeltKey_isNamed_withItsClosestSpelling_exit2() throws Exception {
    Path file = Files.writeString(dir.resolve("mirror.properties"),
        "mirror.host=http://staging:8080\nmirror.timout.read=2s\n");
    CliJar.Run run = CliJar.run(30, "check-config", file.toString());
    assertThat(run.status()).as(run.toString()).isEqualTo(ExitStatus.USAGE);
    assertThat(run.err()).contains(
        "mirror.timout.read: unknown key, did you mean mirror.timeout.read?");
  }

  @Test
  void aKeyAtAWrongLevel_isNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("mirror.yaml"), """
        mirror:
          targets: [v2]
          target:
            v2:
              host: http://v2:8080
              dispatch-threads: 4
        """);
    CliJar.Run run = CliJar.run(30, "check-config", file.toString());
    assertThat(run.status()).as(run.toString()).isEqualTo(ExitStatus.USAGE);
    assertThat(run.err()).contains("mirror.target.v2.dispatch-threads: is not used:"
        + " dispatch-threads applies to a whole engine, not to one target");
  }

  @Test
  void aValidYamlFile_printsTheEffectiveConfiguration_secretsMasked() throws Exception {
    Path file = Files.writeString(dir.resolve("mirror.yml"), """
        mirror:
          targets: [v1, v2]
          target:
            v1:
              host: http://v1:8080
            v2:
              host: https://v2:8443
          set-header:
            Authorization: Bearer s3cr3t-token
          timeout:
            read: 5s
        """);
    CliJar.Run run = CliJar.run(30, "check-config", file.toString());
    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(run.out()).contains("valid", "mirror.policy.default.target.v2.timeout.read=5s",
        "mirror.policy.default.target.v1.host=http://v1:8080", "[masked]")
        .doesNotContain("s3cr3t");
  }

  @Test
  void aFileThatCannotBeRead_isAUsageError() throws Exception {
    CliJar.Run run = CliJar.run(30, "check-config", dir.resolve("none.properties").toString());
    assertThat(run.status()).isEqualTo(ExitStatus.USAGE);
    assertThat(run.err()).contains("none.properties: cannot be read");
  }
}
