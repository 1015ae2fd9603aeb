package dev.mirror.api;

/** Reads a cookie out of a {@code Cookie} header value ({@code a=1; b=2}) without allocating. */
final class CookieHeader {

  private CookieHeader() {}

  static String find(String cookieHeader, String name) {
    if (cookieHeader == null) {
      return null;
    }
    int length = cookieHeader.length();
    int start = 0;
    while (start < length) {
      int end = cookieHeader.indexOf(';', start);
      if (end < 0) {
        end = length;
      }
      int nameStart = skipSpaces(cookieHeader, start, end);
      int eq = cookieHeader.indexOf('=', nameStart);
      if (eq > 0 && eq < end) {
        int nameEnd = eq;
        while (nameEnd > nameStart && cookieHeader.charAt(nameEnd - 1) == ' ') {
          nameEnd--;
        }
        if (nameEnd - nameStart == name.length()
            && cookieHeader.regionMatches(nameStart, name, 0, name.length())) {
          int valueStart = skipSpaces(cookieHeader, eq + 1, end);
          int valueEnd = end;
          while (valueEnd > valueStart && cookieHeader.charAt(valueEnd - 1) == ' ') {
            valueEnd--;
          }
          return cookieHeader.substring(valueStart, valueEnd);
        }
      }
      start = end + 1;
    }
    return null;
  }

  private static int skipSpaces(String s, int from, int to) {
    while (from < to && s.charAt(from) == ' ') {
      from++;
    }
    return from;
  }
}
