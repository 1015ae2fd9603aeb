package dev.mirror.core.internal.compare;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON document as its values by JSON pointer (RFC 6901), containers included, in document
 * order: what the structural comparison walks. Read with Jackson's streaming parser (jackson-core,
 * an optional dependency: without it bodies are compared as text).
 */
public final class JsonShape {

  /** A value at a pointer: its JSON type, and for a scalar its canonical text. */
  record Leaf(String type, String text) {
    static final Leaf OBJECT = new Leaf("object", null);
    static final Leaf ARRAY = new Leaf("array", null);
  }

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
      .build();

  private JsonShape() {}

  /**
   * Reads a document.
   *
   * @throws IOException if the bytes are not one well-formed JSON value
   */
  static Map<String, Leaf> read(byte[] json) throws IOException {
    Map<String, Leaf> values = new LinkedHashMap<>();
    try (JsonParser parser = FACTORY.createParser(json)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new IOException("empty");
      }
      walk(parser, first, "", values);
      if (parser.nextToken() != null) {
        throw new IOException("more than one value");
      }
    }
    return values;
  }

  private static void walk(JsonParser parser, JsonToken token, String pointer,
      Map<String, Leaf> values) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        values.put(pointer, Leaf.OBJECT);
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          walk(parser, parser.nextToken(), pointer + "/" + escape(name), values);
        }
      }
      case START_ARRAY -> {
        values.put(pointer, Leaf.ARRAY);
        int index = 0;
        JsonToken next;
        while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
          walk(parser, next, pointer + "/" + index++, values);
        }
      }
      case VALUE_STRING -> values.put(pointer, new Leaf("string", parser.getText()));
      // 1.0 and 1 are one number: compared by value, not by spelling.
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> values.put(pointer, new Leaf("number",
          parser.getDecimalValue().stripTrailingZeros().toPlainString()));
      case VALUE_TRUE, VALUE_FALSE -> values.put(pointer, new Leaf("boolean", parser.getText()));
      case VALUE_NULL -> values.put(pointer, new Leaf("null", "null"));
      default -> throw new IOException("unexpected " + token);
    }
  }

  private static String escape(String name) {
    return name.indexOf('~') < 0 && name.indexOf('/') < 0 ? name
        : name.replace("~", "~0").replace("/", "~1");
  }
}
