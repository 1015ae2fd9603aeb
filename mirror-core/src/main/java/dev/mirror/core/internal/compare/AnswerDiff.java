package dev.mirror.core.internal.compare;

import dev.mirror.api.Comparison;
import dev.mirror.api.Difference;
import dev.mirror.api.Headers;
import dev.mirror.api.Observation;
import dev.mirror.core.internal.scrub.PointerGlob;
import dev.mirror.core.internal.scrub.Scrubber;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * What differs between the primary's answer and a shadow's: the status, the compared headers,
 * and the body: JSON field by field (the topmost pointer of what is missing or extra, another
 * type, another value; ignored pointers and what lies under them left out), other text as a
 * whole, anything else byte for byte. A gzip- or deflate-encoded body is decoded first (within
 * the comparison's limit), since the shadow may compress where the application did not.
 */
public final class AnswerDiff {

  /** Longest value shown for a difference, in characters. */
  static final int MAX_VALUE_CHARS = 120;

  private static final boolean JACKSON = Scrubber.jacksonPresent();

  private final Comparison spec;
  private final List<PointerGlob> ignored;

  AnswerDiff(Comparison spec) {
    this.spec = spec;
    this.ignored = PointerGlob.all(spec.ignorePaths());
  }

  /** True if the body could not be compared: one side's was longer than the limit. */
  static boolean bodyOverLimit(Observation a, Observation b) {
    return !a.bodyComplete() || !b.bodyComplete();
  }

  List<Difference> diff(Observation primary, Observation shadow) {
    List<Difference> out = new ArrayList<>();
    if (primary.status() != shadow.status()) {
      out.add(new Difference("status", Difference.Kind.VALUE, String.valueOf(primary.status()),
          String.valueOf(shadow.status())));
    }
    headers(primary.headers(), shadow.headers(), out);
    if (!bodyOverLimit(primary, shadow)) {
      body(primary, shadow, out);
    }
    return out;
  }

  private void headers(Headers primary, Headers shadow, List<Difference> out) {
    Set<String> names = new TreeSet<>();
    for (int i = 0; i < primary.size(); i++) {
      names.add(primary.name(i).toLowerCase(Locale.ROOT));
    }
    for (int i = 0; i < shadow.size(); i++) {
      names.add(shadow.name(i).toLowerCase(Locale.ROOT));
    }
    for (String name : names) {
      if (!spec.comparesHeader(name)) {
        continue;
      }
      List<String> a = primary.values(name);
      List<String> b = shadow.values(name);
      String field = "header:" + name;
      if (name.equals("content-type") && a.size() == 1 && b.size() == 1
          && sameContentType(a.get(0), b.get(0))) {
        continue;
      }
      if (b.isEmpty()) {
        out.add(new Difference(field, Difference.Kind.MISSING, shorten(String.join(", ", a)), null));
      } else if (a.isEmpty()) {
        out.add(new Difference(field, Difference.Kind.EXTRA, null, shorten(String.join(", ", b))));
      } else if (!a.equals(b)) {
        out.add(new Difference(field, Difference.Kind.VALUE, shorten(String.join(", ", a)),
            shorten(String.join(", ", b))));
      }
    }
  }

  private void body(Observation primary, Observation shadow, List<Difference> out) {
    byte[] a = decoded(primary);
    byte[] b = decoded(shadow);
    if (a == null || b == null) {
      out.add(new Difference("body", Difference.Kind.VALUE, a == null ? "(not decodable)" : null,
          b == null ? "(not decodable)" : null));
      return;
    }
    String type = contentType(primary.headers());
    if (type.isEmpty()) {
      type = contentType(shadow.headers());
    }
    if (JACKSON && (type.equals("application/json") || type.endsWith("+json"))) {
      try {
        json(JsonShape.read(a), JsonShape.read(b), out);
        return;
      } catch (IOException notJson) {
        // compared as text below
      }
    }
    if (Arrays.equals(a, b)) {
      return;
    }
    if (isText(type)) {
      Charset charset = StandardCharsets.UTF_8;
      out.add(new Difference("body", Difference.Kind.VALUE, shorten(new String(a, charset)),
          shorten(new String(b, charset))));
    } else {
      out.add(new Difference("body", Difference.Kind.VALUE, a.length + " bytes",
          b.length + " bytes"));
    }
  }

  private void json(Map<String, JsonShape.Leaf> a, Map<String, JsonShape.Leaf> b,
      List<Difference> out) {
    for (Map.Entry<String, JsonShape.Leaf> entry : a.entrySet()) {
      String pointer = entry.getKey();
      if (isIgnored(pointer) || !parentPresentAndAlike(pointer, a, b)) {
        continue;
      }
      JsonShape.Leaf mine = entry.getValue();
      JsonShape.Leaf theirs = b.get(pointer);
      if (theirs == null) {
        out.add(new Difference(field(pointer), Difference.Kind.MISSING, shown(mine), null));
      } else if (!mine.type().equals(theirs.type())) {
        out.add(new Difference(field(pointer), Difference.Kind.TYPE, shown(mine), shown(theirs)));
      } else if (mine.text() != null && !mine.text().equals(theirs.text())) {
        out.add(new Difference(field(pointer), Difference.Kind.VALUE, shown(mine),
            shown(theirs)));
      }
    }
    for (Map.Entry<String, JsonShape.Leaf> entry : b.entrySet()) {
      String pointer = entry.getKey();
      if (!a.containsKey(pointer) && !isIgnored(pointer)
          && parentPresentAndAlike(pointer, a, b)) {
        out.add(new Difference(field(pointer), Difference.Kind.EXTRA, null,
            shown(entry.getValue())));
      }
    }
  }

  /** Only the topmost difference is reported: a pointer whose parent differs is left out. */
  private static boolean parentPresentAndAlike(String pointer, Map<String, JsonShape.Leaf> a,
      Map<String, JsonShape.Leaf> b) {
    if (pointer.isEmpty()) {
      return true;
    }
    String parent = pointer.substring(0, pointer.lastIndexOf('/'));
    JsonShape.Leaf pa = a.get(parent);
    JsonShape.Leaf pb = b.get(parent);
    return pa != null && pb != null && pa.type().equals(pb.type());
  }

  private boolean isIgnored(String pointer) {
    if (ignored.isEmpty()) {
      return false;
    }
    List<String> steps = PointerGlob.steps(pointer);
    for (PointerGlob glob : ignored) {
      if (glob.matchesOrContains(steps)) {
        return true;
      }
    }
    return false;
  }

  private static String field(String pointer) {
    return pointer.isEmpty() ? "/" : pointer;
  }

  private static String shown(JsonShape.Leaf leaf) {
    if (leaf.text() == null) {
      return leaf.type();
    }
    return shorten(leaf.type().equals("string") ? "\"" + leaf.text() + "\"" : leaf.text());
  }

  static String shorten(String value) {
    return value.length() <= MAX_VALUE_CHARS ? value
        : value.substring(0, MAX_VALUE_CHARS) + "...";
  }

  /** The body as the application would read it: decoded if compressed; null if that fails. */
  private byte[] decoded(Observation observation) {
    ByteBuffer view = observation.body();
    byte[] raw = new byte[view.remaining()];
    view.get(raw);
    String encoding = observation.headers().first("Content-Encoding");
    if (encoding == null || raw.length == 0) {
      return raw;
    }
    String coding = encoding.trim().toLowerCase(Locale.ROOT);
    try (InputStream in = switch (coding) {
      case "gzip", "x-gzip" -> new GZIPInputStream(new ByteArrayInputStream(raw));
      case "deflate" -> new InflaterInputStream(new ByteArrayInputStream(raw));
      case "identity" -> new ByteArrayInputStream(raw);
      default -> null;
    }) {
      if (in == null) {
        return null;
      }
      byte[] out = in.readNBytes(spec.maxBodyBytes() + 1);
      return out.length > spec.maxBodyBytes() ? null : out;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Content types are one when their media types and charsets are, in any case and spacing; JSON
   * is UTF-8 whether it says so or not (RFC 8259).
   */
  static boolean sameContentType(String a, String b) {
    return canonicalType(a).equals(canonicalType(b));
  }

  private static String canonicalType(String value) {
    String[] parts = value.split(";");
    String media = parts[0].trim().toLowerCase(Locale.ROOT);
    String charset = null;
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim().toLowerCase(Locale.ROOT);
      if (parameter.startsWith("charset=")) {
        charset = parameter.substring("charset=".length()).replace("\"", "");
      }
    }
    if (charset == null && (media.equals("application/json") || media.endsWith("+json"))) {
      charset = "utf-8";
    }
    return media + ";" + (charset == null ? "" : charset);
  }

  private static String contentType(Headers headers) {
    String type = headers.first("Content-Type");
    return type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
  }

  private static boolean isText(String type) {
    return type.startsWith("text/") || type.endsWith("+xml") || type.equals("application/xml")
        || type.equals("application/x-www-form-urlencoded") || type.equals("application/json")
        || type.endsWith("+json");
  }
}
