package dev.mirror.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The jar as users start it: help, version, completion, a wrong option. */
class CliCommandLineTest {

  @Test
  void help_listsEverySubcommand_andTheExitStatuses() throws Exception {
    CliJar.Run run = CliJar.run(30, "--help");
    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(run.out()).contains("replay", "gate", "check-config", "generate-completion",
        "Exit status:", "0   ok", "1   gate: a threshold was crossed",
        "2   usage or configuration error", "3   runtime failure");
  }

  @Test
  void everySubcommand_hasHelp_withTheExitStatuses() throws Exception {
    for (String command : new String[] {"replay", "gate", "check-config"}) {
      CliJar.Run run = CliJar.run(30, command, "--help");
      assertThat(run.status()).as(run.toString()).isZero();
      assertThat(run.out()).startsWith("Usage: mirror " + command).contains("Exit status:");
    }
  }

  @Test
  void version_isTheBuildsVersion() throws Exception {
    CliJar.Run run = CliJar.run(30, "--version");
    assertThat(run.status()).isZero();
    assertThat(run.out()).startsWith("mirror 0.1.0-SNAPSHOT");
  }

  @Test
  void generateCompletion_printsABashScript() throws Exception {
    CliJar.Run run = CliJar.run(30, "generate-completion");
    assertThat(run.status()).isZero();
    assertThat(run.out()).contains("complete -F", "mirror", "--baseline2", "--max-diff-rate");
  }

  @Test
  void aMissingOrBadOption_isAUsageError_exit2() throws Exception {
    CliJar.Run missing = CliJar.run(30, "gate", "--candidate", "http://127.0.0.1:1");
    assertThat(missing.status()).as(missing.toString()).isEqualTo(ExitStatus.USAGE);
    assertThat(missing.err()).contains("--from", "--baseline", "mirror gate --help");

    CliJar.Run speed = CliJar.run(30, "replay", "--from", "x.ndjson", "--to",
        "http://127.0.0.1:1", "--speed", "fast");
    assertThat(speed.status()).as(speed.toString()).isEqualTo(ExitStatus.USAGE);
    assertThat(speed.err()).contains("--speed: was fast, must be recorded, max or a multiple");

    CliJar.Run rate = CliJar.run(30, "gate", "--from", "x", "--candidate", "http://a:1",
        "--baseline", "http://b:1", "--max-latency-ratio", "fast");
    assertThat(rate.status()).as(rate.toString()).isEqualTo(ExitStatus.USAGE);
    assertThat(rate.err()).contains("--max-latency-ratio: was fast, must be P50:P99");
  }
}
