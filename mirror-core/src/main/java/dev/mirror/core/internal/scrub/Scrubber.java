package dev.mirror.core.internal.scrub;

import dev.mirror.api.Headers;
import dev.mirror.api.Rewrite;
import dev.mirror.api.Scrubbing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One policy's {@link Scrubbing}, ready to run on copies: JSON fields (through {@link
 * JsonScrubber}), form fields, and patterns in text bodies, header values and the query. Built
 * once when the engine starts; runs on the sending thread, never on the request thread.
 */
public final class Scrubber {

  /** The body cannot be scrubbed as asked; the copy is not sent half-scrubbed. */
  public static final class Failed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failed(String why) {
      super(why, null, false, false);
    }
  }

  private final Scrubbing scrubbing;
  private final Rewrite rewrite;
  private final PatternScrubber patterns;
  private final JsonScrubber json;

  private Scrubber(Rewrite rewrite) {
    this.rewrite = rewrite;
    this.scrubbing = rewrite.scrubbing();
    this.patterns = PatternScrubber.of(scrubbing, rewrite.maskValue());
    boolean jackson = jacksonPresent();
    if (!scrubbing.jsonFields().isEmpty() && !jackson) {
      throw new IllegalStateException("mirror.redact-json-fields: needs"
          + " com.fasterxml.jackson.core:jackson-core on the class path (add it next to mirror)");
    }
    this.json = jackson && (!scrubbing.jsonFields().isEmpty() || patterns != null)
        ? new JsonScrubber(scrubbing.jsonFields(),
            rewrite.redactMode() == Rewrite.RedactMode.REMOVE, rewrite.maskValue(), patterns)
        : null;
  }

  /** Returns the scrubber of a policy's rewrite, or null if it scrubs nothing. */
  public static Scrubber of(Rewrite rewrite) {
    return rewrite.scrubbing().isEmpty() ? null : new Scrubber(rewrite);
  }

  /** True if jackson-core (an optional dependency) is on the class path. */
  public static boolean jacksonPresent() {
    try {
      Class.forName("com.fasterxml.jackson.core.JsonFactory", false,
          Scrubber.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Scrubs a header value; the same instance if nothing matched. */
  public String headerValue(String value, int[] count) {
    return patterns == null ? value : patterns.scrub(value, count);
  }

  /** Scrubs the values of a raw query; the same instance if nothing matched. */
  public String query(String rawQuery, int[] count) {
    return patterns == null ? rawQuery : patterns.scrubPairs(rawQuery, count);
  }

  /** Media types of newline-delimited JSON, scrubbed line by line. */
  private static final java.util.Set<String> NDJSON = java.util.Set.of("application/x-ndjson",
      "application/ndjson", "application/jsonl", "application/x-jsonlines");

  /** A media type as a message may show it (it is the client's): letters, digits and marks. */
  private static final java.util.regex.Pattern SHOWN_MEDIA =
      java.util.regex.Pattern.compile("[a-z0-9!#$&^_.+-]{1,40}/[a-z0-9!#$&^_.+-]{1,60}");

  /** Scrubs a raw path segment by segment; the same instance if nothing matched. */
  public String path(String rawPath, int[] count) {
    return patterns == null ? rawPath : patterns.scrubPath(rawPath, count);
  }

  /**
   * Returns the body scrubbed for its content type, or the same buffer when nothing changed.
   * Fails closed: a body whose type is missing or unknown, multipart, or JSON sent as text while
   * JSON fields are redacted, cannot be scrubbed with certainty (gRPC's protobuf frames go as they
   * came, as documented: patterns scrub their metadata).
   *
   * @throws Failed when the body cannot be scrubbed and the policy does not send it unchanged
   */
  public ByteBuffer body(Headers received, ByteBuffer body, int[] count) {
    if (!body.hasRemaining()) {
      return body;
    }
    String type = received.first("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    boolean isJson = media.equals("application/json") || media.endsWith("+json");
    boolean isNdjson = NDJSON.contains(media);
    boolean isForm = media.equals("application/x-www-form-urlencoded");
    boolean isText = media.startsWith("text/") || media.endsWith("+xml")
        || media.equals("application/xml");
    if (media.equals("application/grpc") || media.startsWith("application/grpc+")) {
      return body; // gRPC's framed protobuf: binary, goes as it came (README, "gRPC")
    }
    if (media.isEmpty()) {
      return unscrubbable(body, "a body without a Content-Type cannot be classified");
    }
    if (media.startsWith("multipart/")) {
      return multipart(type, media, body, count);
    }
    if (!(isJson || isNdjson || isForm || isText)) {
      return unscrubbable(body, typed(media) + " cannot be scrubbed");
    }
    if (isText && !scrubbing.jsonFields().isEmpty() && looksLikeJson(body)) {
      return unscrubbable(body, typed(media) + " that holds JSON cannot be scrubbed as JSON");
    }
    boolean applies = ((isJson || isNdjson) && (json != null || patterns != null))
        || (isForm && (!scrubbing.formFields().isEmpty() || patterns != null))
        || (isText && patterns != null);
    if (!applies) {
      return body;
    }
    String encoding = received.first("Content-Encoding");
    if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
      return unscrubbable(body, "a " + (SHOWN_MEDIA.matcher("x/" + encoding.trim()
          .toLowerCase(Locale.ROOT)).matches() ? encoding.trim() : "content")
          + "-encoded body cannot be scrubbed");
    }
    byte[] bytes = new byte[body.remaining()];
    body.duplicate().get(bytes);
    if (isNdjson && json != null) {
      try {
        byte[] scrubbed = lines(bytes, count);
        return scrubbed == bytes ? body : ByteBuffer.wrap(scrubbed).asReadOnlyBuffer();
      } catch (IOException e) {
        return unscrubbable(body, "a line of the body is not well-formed JSON");
      }
    }
    if (isJson && json != null) {
      try {
        byte[] scrubbed = json.scrub(bytes, count);
        return scrubbed == bytes ? body : ByteBuffer.wrap(scrubbed).asReadOnlyBuffer();
      } catch (IOException e) {
        return unscrubbable(body, "the body is not well-formed JSON");
      }
    }
    Charset charset = isForm || isNdjson ? StandardCharsets.UTF_8 : charset(type);
    String text = new String(bytes, charset);
    String scrubbed = text;
    if (isForm) {
      scrubbed = Redactor.redactForm(scrubbed, scrubbing.formFields(), rewrite);
      if (scrubbed != text) {
        count[0]++;
      }
      if (patterns != null) {
        scrubbed = patterns.scrubPairs(scrubbed, count);
      }
    } else {
      scrubbed = patterns.scrub(text, count);
    }
    return scrubbed == text ? body
        : ByteBuffer.wrap(scrubbed.getBytes(charset)).asReadOnlyBuffer();
  }

  /**
   * Scrubs a multipart body part by part (RFC 2046 §5.1, RFC 7578): each part by its own
   * Content-Type (a form-data part without one is text), a form-data part named in {@code
   * redact-form-fields} replaced as a form field is; the delimiters, part headers, preamble and
   * epilogue kept as they came. A part that cannot be scrubbed (a file of an unknown type) makes
   * the whole body unscrubbable; so does a body that does not parse as multipart.
   */
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] BLANK_LINE = {'\r', '\n', '\r', '\n'};

  private ByteBuffer multipart(String type, String media, ByteBuffer body, int[] count) {
    String boundary = boundary(type);
    if (boundary == null) {
      return unscrubbable(body, typed(media) + " without a boundary cannot be scrubbed");
    }
    byte[] bytes = new byte[body.remaining()];
    body.duplicate().get(bytes);
    byte[] dash = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    int first = 0;
    if (!startsWith(bytes, 0, dash)) {
      int found = indexOf(bytes, delimiter, 0);
      first = found < 0 ? -1 : found + 2; // past the CRLF that ends the preamble
    }
    if (first < 0) {
      return unscrubbable(body, typed(media) + " that is not well-formed multipart");
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(bytes.length + 64);
    out.write(bytes, 0, first);
    int at = first;
    boolean changed = false;
    while (true) {
      int afterDash = at + dash.length;
      if (afterDash + 2 <= bytes.length && bytes[afterDash] == '-' && bytes[afterDash + 1] == '-') {
        out.write(bytes, at, bytes.length - at); // the close delimiter and the epilogue
        break;
      }
      int lineEnd = indexOf(bytes, CRLF, afterDash);
      int next = lineEnd < 0 ? -1 : indexOf(bytes, delimiter, lineEnd);
      if (next < 0) {
        return unscrubbable(body, typed(media) + " that is not well-formed multipart");
      }
      int partStart = lineEnd + 2;
      out.write(bytes, at, partStart - at);
      int headersEnd = startsWith(bytes, partStart, CRLF) ? partStart
          : indexOf(bytes, BLANK_LINE, partStart);
      if (headersEnd < 0 || headersEnd > next) {
        return unscrubbable(body, typed(media) + " that is not well-formed multipart");
      }
      int contentStart = headersEnd == partStart ? partStart + 2 : headersEnd + 4;
      Headers partHeaders = partHeaders(new String(bytes, partStart, headersEnd - partStart,
          StandardCharsets.ISO_8859_1));
      ByteBuffer content = ByteBuffer.wrap(bytes, contentStart, next - contentStart).slice();
      ByteBuffer scrubbed = part(partHeaders, content, count);
      out.write(bytes, partStart, contentStart - partStart);
      if (scrubbed == content) {
        out.write(bytes, contentStart, next - contentStart);
      } else {
        changed = true;
        byte[] b = new byte[scrubbed.remaining()];
        scrubbed.duplicate().get(b);
        out.write(b, 0, b.length);
      }
      out.write(bytes, next, 2); // the CRLF that belongs to the delimiter
      at = next + 2; // at the next "--boundary"
    }
    return changed ? ByteBuffer.wrap(out.toByteArray()).asReadOnlyBuffer() : body;
  }

  /** One part: a named form field to redact is replaced; else scrubbed by its type. */
  private ByteBuffer part(Headers headers, ByteBuffer content, int[] count) {
    String disposition = headers.first("Content-Disposition");
    String name = disposition == null ? null : parameter(disposition, "name");
    if (name != null && scrubbing.formFields().contains(name)) {
      count[0]++;
      return ByteBuffer.wrap((rewrite.redactMode() == Rewrite.RedactMode.MASK
          ? rewrite.maskValue() : "").getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    }
    if (headers.first("Content-Type") == null) {
      headers = headers.toBuilder().set("Content-Type", "text/plain; charset=UTF-8").build();
    }
    return body(headers, content, count);
  }

  private static Headers partHeaders(String block) {
    Headers.Builder headers = Headers.builder();
    for (String line : block.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    return headers.build();
  }

  /** A parameter of a header value ({@code name="x"} or {@code name=x}), or null. */
  private static String parameter(String value, String parameter) {
    for (String piece : value.split(";")) {
      String p = piece.trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase(parameter)) {
        String v = p.substring(eq + 1).trim();
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
            ? v.substring(1, v.length() - 1) : v;
      }
    }
    return null;
  }

  private static String boundary(String contentType) {
    String b = parameter(contentType, "boundary");
    return b == null || b.isEmpty() || b.length() > 70 ? null : b;
  }

  private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
    if (at + prefix.length > bytes.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[at + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] bytes, byte[] needle, int from) {
    for (int i = Math.max(0, from); i + needle.length <= bytes.length; i++) {
      if (startsWith(bytes, i, needle)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Scrubs newline-delimited JSON (UTF-8) one line at a time, keeping the line ends and blank
   * lines as they came; the same array if nothing changed.
   *
   * @throws IOException if a line that is not blank is not one JSON document
   */
  private byte[] lines(byte[] bytes, int[] count) throws IOException {
    java.io.ByteArrayOutputStream out = null;
    int start = 0;
    while (start < bytes.length) {
      int newline = start;
      while (newline < bytes.length && bytes[newline] != '\n') {
        newline++;
      }
      int end = newline > start && bytes[newline - 1] == '\r' ? newline - 1 : newline;
      int next = Math.min(newline + 1, bytes.length);
      byte[] line = java.util.Arrays.copyOfRange(bytes, start, end);
      byte[] scrubbed = blank(line) ? line : json.scrub(line, count);
      if (scrubbed != line && out == null) {
        out = new java.io.ByteArrayOutputStream(bytes.length + 64);
        out.write(bytes, 0, start);
      }
      if (out != null) {
        out.write(scrubbed);
        out.write(bytes, end, next - end);
      }
      start = next;
    }
    return out == null ? bytes : out.toByteArray();
  }

  private static boolean blank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  /** True if the first character that is not blank opens a JSON object or array. */
  private static boolean looksLikeJson(ByteBuffer body) {
    for (int i = body.position(); i < body.limit(); i++) {
      byte b = body.get(i);
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        continue;
      }
      return b == '{' || b == '[';
    }
    return false;
  }

  /** Names a body by its type, when the type (the client's text) is safe to repeat in a log. */
  private static String typed(String media) {
    return SHOWN_MEDIA.matcher(media).matches() ? "a body of type " + media
        : "a body of a type not shown";
  }

  private ByteBuffer unscrubbable(ByteBuffer body, String why) {
    if (scrubbing.sendUnscrubbable()) {
      return body;
    }
    throw new Failed(why);
  }

  private static Charset charset(String contentType) {
    if (contentType != null) {
      int at = contentType.toLowerCase(Locale.ROOT).indexOf("charset=");
      if (at >= 0) {
        String name = contentType.substring(at + 8).split(";", 2)[0].trim().replace("\"", "");
        try {
          return Charset.forName(name);
        } catch (IllegalArgumentException unknown) {
          return StandardCharsets.UTF_8;
        }
      }
    }
    return StandardCharsets.UTF_8;
  }
}
