package dev.mirror.servlet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decodes an {@code application/x-www-form-urlencoded} body, as containers do for forms. */
final class FormParameters {

  private FormParameters() {}

  /** Adds the body's parameters to {@code into}, after any values already there. */
  static void decode(byte[] body, int length, Charset charset, Map<String, List<String>> into) {
    int start = 0;
    while (start < length) {
      int end = start;
      while (end < length && body[end] != '&') {
        end++;
      }
      if (end > start) {
        int eq = start;
        while (eq < end && body[eq] != '=') {
          eq++;
        }
        String name = unescape(body, start, eq, charset);
        String value = eq < end ? unescape(body, eq + 1, end, charset) : "";
        into.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      }
      start = end + 1;
    }
  }

  static Map<String, String[]> toArrays(Map<String, List<String>> parameters) {
    Map<String, String[]> out = new LinkedHashMap<>();
    parameters.forEach((name, values) -> out.put(name, values.toArray(new String[0])));
    return out;
  }

  private static String unescape(byte[] bytes, int from, int to, Charset charset) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
    for (int i = from; i < to; i++) {
      byte b = bytes[i];
      if (b == '+') {
        out.write(' ');
      } else if (b == '%' && i + 2 < to && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
        out.write(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
        i += 2;
      } else {
        out.write(b);
      }
    }
    return new String(out.toByteArray(), charset);
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }
}
