package dev.mirror.servlet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects, from the reliability suites' own results, one row per fault or bad input: what the
 * primary saw and what was counted. Written to {@code target/RELIABILITY.md}; docs/RELIABILITY.md
 * is a copy of it.
 */
final class ReliabilityRecord {

  private static final Map<String, String[]> ROWS = new TreeMap<>();

  private ReliabilityRecord() {}

  static synchronized void row(String section, String input, String primarySaw, String counted) {
    ROWS.put(section + "\u0000" + input, new String[] {section, input, primarySaw, counted});
  }

  static synchronized void write() {
    StringBuilder out = new StringBuilder();
    out.append("# Reliability record\n\n")
        .append("Produced by the reliability suites in `mirror-servlet/src/test` (`mvn -B verify`"
            + " writes it to `mirror-servlet/target/RELIABILITY.md`): Jetty 12 with `MirrorFilter`"
            + " at 100 % mirroring, concurrent clients, every primary response checked against the"
            + " same request without the filter or its expected digest.\n");
    String section = null;
    for (String[] row : ROWS.values()) {
      if (!row[0].equals(section)) {
        section = row[0];
        out.append("\n## ").append(section).append("\n\n")
            .append("| fault or input | what the primary saw | what was counted |\n")
            .append("|---|---|---|\n");
      }
      out.append("| ").append(row[1]).append(" | ").append(row[2]).append(" | ").append(row[3])
          .append(" |\n");
    }
    try {
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", "RELIABILITY.md"), out.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
