package dev.mirror.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Reads one parameter of a raw query string. */
final class QueryParameters {

  private QueryParameters() {}

  /** The first value of {@code name} (both compared percent-decoded), or null. */
  static String first(String rawQuery, String name) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return null;
    }
    int start = 0;
    while (start <= rawQuery.length()) {
      int end = rawQuery.indexOf('&', start);
      if (end < 0) {
        end = rawQuery.length();
      }
      int equals = rawQuery.indexOf('=', start);
      boolean hasValue = equals >= 0 && equals < end;
      String key = decode(rawQuery.substring(start, hasValue ? equals : end));
      if (key.equals(name)) {
        return hasValue ? decode(rawQuery.substring(equals + 1, end)) : "";
      }
      start = end + 1;
    }
    return null;
  }

  private static String decode(String raw) {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return raw;
    }
  }
}
