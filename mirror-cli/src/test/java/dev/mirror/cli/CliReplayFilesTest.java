package dev.mirror.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mirror replay} from capture files to a real server, the jar run as a process. */
class CliReplayFilesTest {

  @TempDir
  Path dir;

  @Test
  void aDirectoryOfCaptures_isReplayed_everyRecordAnswered_exit0() throws Exception {
    Captures.write(dir.resolve("capture-1.ndjson"), 150, i -> new String[] {"GET",
        "/api/items/" + i});
    Captures.write(dir.resolve("capture-2.ndjson"), 150, i -> new String[] {"POST",
        "/api/orders", "{\"sku\":" + i + "}"});
    try (JsonServer target = new JsonServer(exchange -> "{}")) {
      CliJar.Run run = CliJar.run(60, "replay", "--from", dir.toString(), "--to", target.url(),
          "--speed", "max");
      assertThat(run.status()).as(run.toString()).isZero();
      assertThat(target.requests.get()).isEqualTo(300);
      assertThat(run.out()).contains("Replayed 300 records", "sent 300, failed 0");
      assertThat(run.err()).as("no terminal: plain lines, never a redrawn bar")
          .doesNotContain("\r");
    }
  }

  @Test
  void filters_leaveRecordsOut_andTheReportSaysSo() throws Exception {
    Path file = Captures.write(dir.resolve("mixed.ndjson"), 100, i -> i % 2 == 0
        ? new String[] {"GET", "/api/items/" + i} : new String[] {"DELETE", "/api/items/" + i});
    try (JsonServer target = new JsonServer(exchange -> "{}")) {
      CliJar.Run run = CliJar.run(60, "replay", "--from", file.toString(), "--to", target.url(),
          "--speed", "10", "--methods", "get", "--paths", "/api/**", "--set",
          "mirror.timeout.read=5s", "--no-progress");
      assertThat(run.status()).as(run.toString()).isZero();
      assertThat(target.requests.get()).isEqualTo(50);
      assertThat(run.out()).contains("sent 50", "skipped by filters 50");
    }
  }

  @Test
  void aTargetThatAnswersNothing_isARuntimeFailure_exit3() throws Exception {
    Path file = Captures.write(dir.resolve("c.ndjson"), 20, i -> new String[] {"GET", "/x"});
    CliJar.Run run = CliJar.run(60, "replay", "--from", file.toString(), "--to",
        "http://127.0.0.1:1", "--speed", "max");
    assertThat(run.status()).as(run.toString()).isEqualTo(ExitStatus.RUNTIME_FAILURE);
    assertThat(run.out()).contains("sent 0");
  }

  @Test
  void aBadTargetOrKey_isAUsageError_exit2_andAMissingCapture_exit3() throws Exception {
    Path file = Captures.write(dir.resolve("c.ndjson"), 1, i -> new String[] {"GET", "/x"});
    CliJar.Run badKey = CliJar.run(30, "replay", "--from", file.toString(), "--to",
        "http://127.0.0.1:1", "--set", "mirror.timeout.red=1s");
    assertThat(badKey.status()).as(badKey.toString()).isEqualTo(ExitStatus.USAGE);
    assertThat(badKey.err()).contains("mirror.timeout.red", "did you mean mirror.timeout.read?");

    CliJar.Run missing = CliJar.run(30, "replay", "--from", dir.resolve("none").toString(),
        "--to", "http://127.0.0.1:1");
    assertThat(missing.status()).as(missing.toString()).isEqualTo(ExitStatus.RUNTIME_FAILURE);
    assertThat(missing.err()).contains("none");

    Files.writeString(dir.resolve("bad.ndjson"), "{\"time\":\"x\"}\n");
    CliJar.Run bad = CliJar.run(30, "replay", "--from", dir.resolve("bad.ndjson").toString(),
        "--to", "http://127.0.0.1:1");
    assertThat(bad.status()).as(bad.toString()).isEqualTo(ExitStatus.RUNTIME_FAILURE);
    assertThat(bad.err()).contains("bad.ndjson:1: not a capture record");
  }
}
