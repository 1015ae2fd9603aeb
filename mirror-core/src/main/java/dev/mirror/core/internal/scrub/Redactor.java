package dev.mirror.core.internal.scrub;

import dev.mirror.api.Headers;
import dev.mirror.api.Rewrite;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes credentials, named cookies and named query parameters out of a copy, masked or removed;
 * everything else is kept byte for byte.
 */
public final class Redactor {

  private Redactor() {}

  public static void redactHeaders(Headers.Builder headers, Rewrite rewrite) {
    boolean remove = rewrite.redactMode() == Rewrite.RedactMode.REMOVE;
    if (rewrite.redactCredentials()) {
      for (String name : Rewrite.CREDENTIAL_HEADERS) {
        if (remove) {
          headers.removeAll(name);
        } else {
          headers.replaceValues(name, rewrite.maskValue());
        }
      }
    }
    if (!rewrite.redactCookies().isEmpty()) {
      Headers current = headers.build();
      List<String> cookies = current.values("Cookie");
      if (!cookies.isEmpty()) {
        headers.removeAll("Cookie");
        for (String value : cookies) {
          String redacted = redactPairs(value, "; ", ";", rewrite.redactCookies(), rewrite, false);
          if (!redacted.isEmpty()) {
            headers.add("Cookie", redacted);
          }
        }
      }
    }
  }

  /** Returns the raw query with the named parameters redacted; null stays null. */
  public static String redactQuery(String rawQuery, Rewrite rewrite) {
    if (rawQuery == null || rewrite.redactQueryParams().isEmpty()) {
      return rawQuery;
    }
    return redactPairs(rawQuery, "&", "&", rewrite.redactQueryParams(), rewrite, true);
  }

  /** Returns a form body with the named fields redacted, the rest byte for byte. */
  static String redactForm(String body, List<String> names, Rewrite rewrite) {
    return names.isEmpty() ? body : redactPairs(body, "&", "&", names, rewrite, true);
  }

  /** Splits into name=value pieces, redacts the named ones, and joins again only if changed. */
  private static String redactPairs(String text, String joiner, String separator,
      List<String> names, Rewrite rewrite, boolean query) {
    List<String> kept = new ArrayList<>();
    boolean changed = false;
    for (String piece : text.split(separator, -1)) {
      String item = query ? piece : piece.trim();
      int eq = item.indexOf('=');
      String name = eq < 0 ? item : item.substring(0, eq);
      if (!matches(name, names, query)) {
        kept.add(item);
        continue;
      }
      changed = true;
      if (rewrite.redactMode() == Rewrite.RedactMode.MASK) {
        kept.add(name + "=" + (query
            ? URLEncoder.encode(rewrite.maskValue(), StandardCharsets.UTF_8) : rewrite.maskValue()));
      }
    }
    return changed ? String.join(joiner, kept) : text;
  }

  private static boolean matches(String name, List<String> names, boolean query) {
    if (names.contains(name)) {
      return true;
    }
    if (query && (name.indexOf('%') >= 0 || name.indexOf('+') >= 0)) {
      try {
        return names.contains(URLDecoder.decode(name, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException malformed) {
        return false;
      }
    }
    return false;
  }
}
