package dev.mirror.core.internal.scrub;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.mirror.api.Scrubbing;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Replaces what the policy's detectors find in text (only the match) with the mask value:
 * built-in detectors (email, JWT, bearer token, card number with its Luhn check, IBAN with its
 * checksum) and the user's regular expressions, compiled once.
 *
 * <p>Every expression, built-in or the user's, runs on RE2/J: time linear in the text, whatever
 * the expression and the text (a value of 64 KiB built to make a backtracking engine take
 * minutes takes milliseconds). Card numbers and IBANs are found as runs of their characters,
 * then the number inside a run is told by its checksum: so one followed by an expiry, a CVV, a
 * BIC or a currency ({@code 4111 1111 1111 1111 12/25}, {@code DE89 3704 0044 0532 0130 00
 * EUR}) is still found, and only the number is masked.
 */
public final class PatternScrubber {

  /** Ranges of a text to mask, as start and end pairs; grown as needed. */
  static final class Ranges {
    private int[] bounds = new int[8];
    private int size;

    void add(int start, int end) {
      if (end <= start) {
        return; // an empty match hides nothing
      }
      if (2 * size + 2 > bounds.length) {
        bounds = Arrays.copyOf(bounds, bounds.length * 2);
      }
      bounds[2 * size] = start;
      bounds[2 * size + 1] = end;
      size++;
    }
  }

  /** Tells, inside one match of a detector's expression, what is to be masked. */
  @FunctionalInterface
  private interface Refine {
    void ranges(String text, int start, int end, Ranges out);
  }

  /**
   * A detector: a cheap test a text must pass before the expression runs at all (most strings
   * of a document cannot hold what is looked for), the expression, the group masked, and what
   * inside a match is masked (a checksum decides), or all of it.
   */
  private record Detector(Predicate<CharSequence> mayHold, Pattern pattern, int group,
      Refine refine) {}

  private static final Map<String, Detector> BUILT_IN = Map.of(
      "email", new Detector(text -> indexOf(text, "@") > 0, Pattern.compile(
          "[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9-]+)*"
              + "\\.[A-Za-z]{2,}"), 0, null),
      "jwt", new Detector(text -> indexOf(text, "eyJ") >= 0, Pattern.compile(
          "eyJ[A-Za-z0-9_-]{2,}\\.eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*"), 0, null),
      "bearer", new Detector(PatternScrubber::mentionsBearer,
          Pattern.compile("(?i)\\bbearer ([A-Za-z0-9._~+/-]+=*)"), 1, null),
      "card", new Detector(text -> digits(text) >= 13,
          Pattern.compile("[0-9]+(?:[ -][0-9]+)*"), 0, PatternScrubber::cards),
      "iban", new Detector(text -> text.length() >= 15 && digits(text) >= 2, Pattern.compile(
          "\\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9])+"), 0, PatternScrubber::ibans));

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
          : new Detector(text -> true, Pattern.compile(scrubbing.customPatterns().get(name)), 0,
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
      Ranges ranges = null;
      while (m.find()) {
        int start = m.start(detector.group);
        if (start < 0) {
          continue;
        }
        if (ranges == null) {
          ranges = new Ranges();
        }
        if (detector.refine == null) {
          ranges.add(start, m.end(detector.group));
        } else {
          detector.refine.ranges(current, start, m.end(detector.group), ranges);
        }
      }
      if (ranges != null && ranges.size > 0) {
        StringBuilder out = new StringBuilder(current.length());
        int last = 0;
        for (int i = 0; i < ranges.size; i++) {
          out.append(current, last, ranges.bounds[2 * i]).append(mask);
          last = ranges.bounds[2 * i + 1];
        }
        count[0] += ranges.size;
        current = out.append(current, last, current.length()).toString();
      }
    }
    return current;
  }

  /**
   * Card numbers in a run of digit groups ({@code 4111 1111 1111 1111 12}): from each group,
   * the longest run of whole groups holding 13 to 19 digits that passes the Luhn check; the
   * groups after it are looked at again. A run of one group is a number only if it passes whole.
   */
  static void cards(String text, int start, int end, Ranges out) {
    int[] groups = new int[16];
    int n = 0;
    int i = start;
    while (i < end) {
      int groupStart = i;
      while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        i++;
      }
      if (2 * n + 2 > groups.length) {
        groups = Arrays.copyOf(groups, groups.length * 2);
      }
      groups[2 * n] = groupStart;
      groups[2 * n + 1] = i;
      n++;
      i++; // the separator
    }
    int first = 0;
    while (first < n) {
      int best = -1;
      int digits = 0;
      for (int last = first; last < n; last++) {
        digits += groups[2 * last + 1] - groups[2 * last];
        if (digits > 19) {
          break;
        }
        if (digits >= 13 && luhn(text.substring(groups[2 * first], groups[2 * last + 1]))) {
          best = last;
        }
      }
      if (best >= 0) {
        out.add(groups[2 * first], groups[2 * best + 1]);
        first = best + 1;
      } else {
        first++;
      }
    }
  }

  /**
   * IBANs in a run of letters and digits ({@code DE89 3704 0044 0532 0130 00 EUR}): from its
   * start, as many characters as its country's IBANs have, if they pass the checksum; for a
   * country not in the table (or a length that does not pass), the longest prefix ending where
   * a group ends that passes. What follows is looked at again.
   */
  static void ibans(String text, int start, int end, Ranges out) {
    int[] at = new int[end - start];
    int n = 0;
    for (int i = start; i < end; i++) {
      if (text.charAt(i) != ' ') {
        at[n++] = i;
      }
    }
    int from = 0;
    while (from + 15 <= n) {
      int length = ibanAt(text, at, from, n);
      if (length > 0) {
        out.add(at[from], at[from + length - 1] + 1);
        from += length;
        continue;
      }
      do {
        from++; // on to the next group
      } while (from < n && at[from] == at[from - 1] + 1);
    }
  }

  /** The length of the IBAN that starts at compact character {@code from}, or 0 if none. */
  private static int ibanAt(String text, int[] at, int from, int n) {
    if (!(upper(text.charAt(at[from])) && upper(text.charAt(at[from + 1]))
        && digit(text.charAt(at[from + 2])) && digit(text.charAt(at[from + 3])))) {
      return 0;
    }
    Integer known = IBAN_LENGTHS.get(text.substring(at[from], at[from] + 2));
    if (known != null && from + known <= n && ibanChecksum(compact(text, at, from, known))) {
      return known;
    }
    for (int length = Math.min(34, n - from); length >= 15; length--) {
      boolean groupEnds = from + length == n || at[from + length] != at[from + length - 1] + 1;
      if (groupEnds && ibanChecksum(compact(text, at, from, length))) {
        return length;
      }
    }
    return 0;
  }

  private static String compact(String text, int[] at, int from, int length) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = text.charAt(at[from + i]);
    }
    return new String(chars);
  }

  private static boolean upper(char c) {
    return c >= 'A' && c <= 'Z';
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  /** IBAN lengths by country (the SWIFT IBAN registry). */
  private static final Map<String, Integer> IBAN_LENGTHS = ibanLengths(
      "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22"
      + " DJ27 DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28"
      + " HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25"
      + " MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29"
      + " RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29"
      + " VA22 VG24 XK20 YE30");

  private static Map<String, Integer> ibanLengths(String table) {
    Map<String, Integer> lengths = new java.util.HashMap<>();
    for (String entry : table.split(" ")) {
      lengths.put(entry.substring(0, 2), Integer.parseInt(entry.substring(2)));
    }
    return Map.copyOf(lengths);
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

  /**
   * Scrubs a raw path segment by segment, each percent-decoded ({@code +} stays a plus); a
   * segment that held a match is sent percent-encoded. The same instance if nothing matched.
   */
  String scrubPath(String rawPath, int[] count) {
    if (rawPath == null || rawPath.isEmpty()) {
      return rawPath;
    }
    StringBuilder out = null;
    int start = 0;
    while (start <= rawPath.length()) {
      int end = rawPath.indexOf('/', start);
      if (end < 0) {
        end = rawPath.length();
      }
      String segment = rawPath.substring(start, end);
      String value = decode(segment.replace("+", "%2B"));
      String scrubbed = value.isEmpty() ? value : scrub(value, count);
      String replaced = scrubbed == value ? segment
          : URLEncoder.encode(scrubbed, StandardCharsets.UTF_8).replace("+", "%20");
      if (replaced != segment && out == null) {
        out = new StringBuilder(rawPath.length() + 16).append(rawPath, 0, start);
      }
      if (out != null) {
        out.append(replaced);
        if (end < rawPath.length()) {
          out.append('/');
        }
      }
      start = end + 1;
    }
    return out == null ? rawPath : out.toString();
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
