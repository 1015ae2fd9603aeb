package dev.mirror.core;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Redacts JSON fields named by JSON-pointer globs, and patterns in string values, through
 * Jackson's streaming parser and generator: one pass, no tree. Field order and numbers (their
 * very text) are kept; whitespace and string escapes may change. The caller keeps
 * the original bytes when nothing was redacted.
 */
final class JsonScrubber {

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

  /** A glob's segments: {@code *} is one segment, {@code **} any number. */
  private final List<String[]> globs;
  private final boolean remove;
  private final String mask;
  private final PatternScrubber patterns;

  JsonScrubber(List<String> fields, boolean remove, String mask, PatternScrubber patterns) {
    List<String[]> parsed = new ArrayList<>();
    for (String field : fields) {
      String[] segments = field.substring(1).split("/", -1);
      for (int i = 0; i < segments.length; i++) {
        segments[i] = segments[i].replace("~1", "/").replace("~0", "~");
      }
      parsed.add(segments);
    }
    this.globs = List.copyOf(parsed);
    this.remove = remove;
    this.mask = mask;
    this.patterns = patterns;
  }

  /**
   * Returns the scrubbed document, and adds the fields and matches redacted to {@code count[0]}.
   *
   * @throws IOException if the body is not one well-formed JSON document
   */
  byte[] scrub(byte[] body, int offset, int length, int[] count) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(length + 16);
    List<Frame> frames = new ArrayList<>();
    List<String> path = new ArrayList<>();
    try (JsonParser parser = FACTORY.createParser(body, offset, length);
        JsonGenerator generator = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        switch (token) {
          case FIELD_NAME -> {
            String name = parser.currentName();
            frames.get(frames.size() - 1).field = name;
            if (!matches(path(frames, path))) {
              generator.copyCurrentEvent(parser);
              continue;
            }
            count[0]++;
            JsonToken value = parser.nextToken();
            if (!remove) {
              generator.writeFieldName(name);
              if (value == JsonToken.VALUE_STRING) {
                generator.writeString(mask);
              } else {
                generator.writeNull();
              }
            }
            parser.skipChildren();
          }
          case START_OBJECT, START_ARRAY -> {
            nextElement(frames);
            generator.copyCurrentEvent(parser);
            frames.add(new Frame(token == JsonToken.START_ARRAY));
          }
          case END_OBJECT, END_ARRAY -> {
            generator.copyCurrentEvent(parser);
            frames.remove(frames.size() - 1);
          }
          case VALUE_STRING -> {
            nextElement(frames);
            String text = patterns == null ? null : parser.getText();
            String scrubbed = text == null ? null : patterns.scrub(text, count);
            if (scrubbed != text) {
              generator.writeString(scrubbed);
            } else {
              generator.copyCurrentEvent(parser);
            }
          }
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
            nextElement(frames);
            // The number's own text: precision, exponent form and a negative zero kept as sent.
            generator.writeNumber(parser.getText());
          }
          default -> {
            nextElement(frames);
            generator.copyCurrentEvent(parser);
          }
        }
      }
      if (!frames.isEmpty()) {
        throw new IOException("the JSON document ends inside a value");
      }
    }
    return out.toByteArray();
  }

  /** Where the parser is: an object's current field, or an array's current index. */
  private static final class Frame {
    final boolean array;
    int index = -1;
    String field;

    Frame(boolean array) {
      this.array = array;
    }
  }

  /** A value starts: inside an array, it is the next element. */
  private static void nextElement(List<Frame> frames) {
    if (!frames.isEmpty()) {
      Frame top = frames.get(frames.size() - 1);
      if (top.array) {
        top.index++;
      }
    }
  }

  private static List<String> path(List<Frame> frames, List<String> path) {
    path.clear();
    for (Frame frame : frames) {
      path.add(frame.array ? Integer.toString(frame.index) : frame.field);
    }
    return path;
  }

  private boolean matches(List<String> path) {
    for (String[] glob : globs) {
      if (matches(glob, 0, path, 0)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(String[] glob, int g, List<String> path, int p) {
    if (g == glob.length) {
      return p == path.size();
    }
    if (glob[g].equals("**")) {
      for (int skip = p; skip <= path.size(); skip++) {
        if (matches(glob, g + 1, path, skip)) {
          return true;
        }
      }
      return false;
    }
    return p < path.size() && (glob[g].equals("*") || glob[g].equals(path.get(p)))
        && matches(glob, g + 1, path, p + 1);
  }
}
