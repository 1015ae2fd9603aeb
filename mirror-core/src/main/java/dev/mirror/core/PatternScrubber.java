package dev.mirror.core;

import dev.mirror.api.Scrubbing;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces what the policy's detectors find in text (only the match) with the mask value:
 * built-in detectors (email, JWT, bearer token, card number with its Luhn check, IBAN with its
 * checksum) and the user's regular expressions, compiled once.
 */
final class PatternScrubber {

  /**
   * A detector: a cheap test a text must pass before the expression runs at all (most strings
   * of a document cannot hold what is looked for), the expression, and a check a match must pass
   * (a checksum), or none.
   */
  private record Detector(Predicate<CharSequence> mayHold, Pattern pattern,
      Predicate<String> valid) {}

  private static final Map<String, Detector> BUILT_IN = Map.of(
      "email", new Detector(text -> indexOf(text, "@") > 0, Pattern.compile(
          "[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9-]+)*"
              + "\\.[A-Za-z]{2,}"), null),
      "jwt", new Detector(text -> indexOf(text, "eyJ") >= 0, Pattern.compile(
          "eyJ[A-Za-z0-9_-]{2,}\\.eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*"), null),
      "bearer", new Detector(PatternScrubber::mentionsBearer,
          Pattern.compile("(?i)(?<=\\bbearer )[A-Za-z0-9._~+/-]+=*"), null),
      "card", new Detector(text -> digits(text) >= 13,
          Pattern.compile("(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])"),
          PatternScrubber::luhn),
      "iban", new Detector(text -> text.length() >= 15 && digits(text) >= 2, Pattern.compile(
          "\\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\\b"), PatternScrubber::ibanChecksum));

  private static int indexOf(CharSequence text, String part) {
    int last = text.length() - part.length();
    outer:
    for (int i = 0; i <= last; i++) {
      for (int j = 0; j < part.length(); j++) {
        if (text.charAt(i + j) != part.charAt(j)) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static int digits(CharSequence text) {
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        n++;
      }
    }
    return n;
  }

  private static boolean mentionsBearer(CharSequence text) {
    String word = "bearer";
    outer:
    for (int i = word.length(); i < text.length(); i++) {
      if (text.charAt(i) != ' ') {
        continue;
      }
      for (int j = 0; j < word.length(); j++) {
        if ((text.charAt(i - word.length() + j) | 0x20) != word.charAt(j)) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Returns true if some detector could find something in the text: a cheap look, before any
   * text is made into a String or any expression runs.
   */
  boolean mayHold(CharSequence text) {
    for (Detector detector : detectors) {
      if (detector.mayHold.test(text)) {
        return true;
      }
    }
    return false;
  }

  private final List<Detector> detectors;
  private final String mask;

  private PatternScrubber(List<Detector> detectors, String mask) {
    this.detectors = detectors;
    this.mask = mask;
  }

  /** Returns the scrubber for these settings, or null if they name no pattern. */
  static PatternScrubber of(Scrubbing scrubbing, String mask) {
    if (scrubbing.patterns().isEmpty()) {
      return null;
    }
    List<Detector> detectors = new ArrayList<>();
    for (String name : scrubbing.patterns()) {
      Detector builtIn = BUILT_IN.get(name);
      detectors.add(builtIn != null ? builtIn
          : new Detector(text -> true, Pattern.compile(scrubbing.customPatterns().get(name)),
              null));
    }
    return new PatternScrubber(List.copyOf(detectors), mask);
  }

  /**
   * Returns the text with every valid match masked, and adds the number of matches to {@code
   * count[0]}; the same instance when nothing matched.
   */
  String scrub(String text, int[] count) {
    String current = text;
    for (Detector detector : detectors) {
      if (!detector.mayHold.test(current)) {
        continue;
      }
      Matcher m = detector.pattern.matcher(current);
      StringBuilder out = null;
      int last = 0;
      while (m.find()) {
        if (detector.valid != null && !detector.valid.test(m.group())) {
          continue;
        }
        if (out == null) {
          out = new StringBuilder(current.length());
        }
        out.append(current, last, m.start()).append(mask);
        last = m.end();
        count[0]++;
      }
      if (out != null) {
        current = out.append(current, last, current.length()).toString();
      }
    }
    return current;
  }

  /**
   * Scrubs the values of {@code name=value&...} text (a query or a form body), percent-decoded
   * for matching; pieces without a match stay byte for byte.
   */
  String scrubPairs(String raw, int[] count) {
    if (raw == null || raw.isEmpty()) {
      return raw;
    }
    StringBuilder out = null;
    int start = 0;
    while (start <= raw.length()) {
      int end = raw.indexOf('&', start);
      if (end < 0) {
        end = raw.length();
      }
      String piece = raw.substring(start, end);
      int eq = piece.indexOf('=');
      String replaced = piece;
      if (eq >= 0) {
        String value = decode(piece.substring(eq + 1));
        String scrubbed = scrub(value, count);
        if (scrubbed != value) {
          replaced = piece.substring(0, eq + 1)
              + URLEncoder.encode(scrubbed, StandardCharsets.UTF_8);
        }
      }
      if (replaced != piece && out == null) {
        out = new StringBuilder(raw.length()).append(raw, 0, start);
      }
      if (out != null) {
        out.append(replaced);
        if (end < raw.length()) {
          out.append('&');
        }
      }
      start = end + 1;
    }
    return out == null ? raw : out.toString();
  }

  private static String decode(String raw) {
    if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) {
      return raw;
    }
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return raw;
    }
  }

  /** The Luhn check of a card number, separators ignored. */
  static boolean luhn(String number) {
    int sum = 0;
    int digits = 0;
    boolean twice = false;
    for (int i = number.length() - 1; i >= 0; i--) {
      char c = number.charAt(i);
      if (c < '0' || c > '9') {
        continue;
      }
      int d = c - '0';
      if (twice) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      twice = !twice;
      digits++;
    }
    return digits >= 13 && digits <= 19 && sum % 10 == 0;
  }

  /** The ISO 13616 checksum of an IBAN (mod 97 equals 1), spaces ignored. */
  static boolean ibanChecksum(String iban) {
    String compact = iban.replace(" ", "");
    if (compact.length() < 15 || compact.length() > 34) {
      return false;
    }
    String rearranged = compact.substring(4) + compact.substring(0, 4);
    int remainder = 0;
    for (int i = 0; i < rearranged.length(); i++) {
      char c = rearranged.charAt(i);
      int value = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
      remainder = value > 9 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
    }
    return remainder == 1;
  }
}
