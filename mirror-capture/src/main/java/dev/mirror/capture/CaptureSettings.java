package dev.mirror.capture;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code mirror.file.*} keys: how capture files rotate and how much disk they may take.
 *
 * @param maxFileBytes a file is closed and the next one opened past this size
 * @param rotateEvery and at least this often
 * @param maxTotalBytes the most all capture files of a directory take: the oldest are deleted
 * @param queue the most copies waiting for the disk; more are dropped as {@code QUEUE_FULL}
 */
record CaptureSettings(long maxFileBytes, Duration rotateEvery, long maxTotalBytes, int queue) {

  static final String PREFIX = "mirror.file.";
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  /**
   * Reads the settings.
   *
   * @throws IllegalArgumentException naming the key, for an unknown key or a bad value
   */
  static CaptureSettings of(Map<String, String> settings) {
    long maxFileBytes = 64L << 20;
    Duration rotateEvery = Duration.ofHours(1);
    long maxTotalBytes = 1L << 30;
    int queue = 10_000;
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String value = e.getValue().trim();
      switch (e.getKey()) {
        case "max-file-bytes" -> maxFileBytes = bytes(e.getKey(), value, 1024, 1L << 40);
        case "max-total-bytes" -> maxTotalBytes = bytes(e.getKey(), value, 1024, 1L << 50);
        case "rotate-every" -> rotateEvery = duration(e.getKey(), value);
        case "queue" -> queue = (int) bytes(e.getKey(), value, 1, 1_000_000);
        default -> throw new IllegalArgumentException(PREFIX + e.getKey() + ": unknown key, must"
            + " be one of " + PREFIX + "max-file-bytes, max-total-bytes, rotate-every, queue");
      }
    }
    if (maxTotalBytes < maxFileBytes) {
      throw new IllegalArgumentException(PREFIX + "max-total-bytes: was " + maxTotalBytes
          + ", must be at least " + PREFIX + "max-file-bytes (" + maxFileBytes + ")");
    }
    return new CaptureSettings(maxFileBytes, rotateEvery, maxTotalBytes, queue);
  }

  private static long bytes(String key, String value, long min, long max) {
    try {
      long n = Long.parseLong(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException(PREFIX + key + ": was " + value + ", must be an integer in ["
        + min + ", " + max + "]");
  }

  private static Duration duration(String key, String value) {
    Matcher m = DURATION.matcher(value);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
      if (d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(Duration.ofDays(7)) <= 0) {
        return d;
      }
    }
    throw new IllegalArgumentException(PREFIX + key + ": was " + value + ", must be a duration"
        + " such as 30s, 15m or 1h, from 1s to 7 days");
  }
}
