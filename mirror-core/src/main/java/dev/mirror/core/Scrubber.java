package dev.mirror.core;

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
final class Scrubber {

  /** The body cannot be scrubbed as asked; the copy is not sent half-scrubbed. */
  static final class Failed extends RuntimeException {
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
  static Scrubber of(Rewrite rewrite) {
    return rewrite.scrubbing().isEmpty() ? null : new Scrubber(rewrite);
  }

  /** True if jackson-core (an optional dependency) is on the class path. */
  static boolean jacksonPresent() {
    try {
      Class.forName("com.fasterxml.jackson.core.JsonFactory", false,
          Scrubber.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Scrubs a header value; the same instance if nothing matched. */
  String headerValue(String value, int[] count) {
    return patterns == null ? value : patterns.scrub(value, count);
  }

  /** Scrubs the values of a raw query; the same instance if nothing matched. */
  String query(String rawQuery, int[] count) {
    return patterns == null ? rawQuery : patterns.scrubPairs(rawQuery, count);
  }

  /**
   * Returns the body scrubbed for its content type, or the same buffer when nothing changed.
   *
   * @throws Failed when the body cannot be scrubbed and the policy does not send it unchanged
   */
  ByteBuffer body(Headers received, ByteBuffer body, int[] count) {
    if (!body.hasRemaining()) {
      return body;
    }
    String type = received.first("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    boolean isJson = media.equals("application/json") || media.endsWith("+json");
    boolean isForm = media.equals("application/x-www-form-urlencoded");
    boolean isText = media.startsWith("text/") || media.endsWith("+xml")
        || media.equals("application/xml");
    boolean applies = (isJson && (json != null || patterns != null))
        || (isForm && (!scrubbing.formFields().isEmpty() || patterns != null))
        || (isText && patterns != null);
    if (!applies) {
      return body;
    }
    String encoding = received.first("Content-Encoding");
    if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
      return unscrubbable(body, "a " + encoding.trim() + "-encoded body cannot be scrubbed");
    }
    byte[] bytes = new byte[body.remaining()];
    body.duplicate().get(bytes);
    if (isJson && json != null) {
      try {
        byte[] scrubbed = json.scrub(bytes, count);
        return scrubbed == bytes ? body : ByteBuffer.wrap(scrubbed).asReadOnlyBuffer();
      } catch (IOException e) {
        return unscrubbable(body, "the body is not well-formed JSON");
      }
    }
    Charset charset = isForm ? StandardCharsets.UTF_8 : charset(type);
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
