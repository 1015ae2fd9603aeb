package dev.mirror.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mirror.api.Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * One captured copy: a line of NDJSON in a capture file. The fields, in order: {@code time}
 * (ISO-8601, UTC), {@code id} (the copy's request id), {@code policy}, {@code target}, {@code
 * method}, {@code uri} (the raw path and query, as the copy would have gone out), {@code headers}
 * (pairs in order, after the policy's redaction), and the body as {@code body} (UTF-8 text) or
 * {@code bodyBase64} (anything else).
 *
 * @param time when the copy was captured
 * @param id the copy's request id
 * @param policy the policy's name
 * @param target the capture target's name
 * @param method the method
 * @param uri the raw path and query
 * @param headers the headers, in order
 * @param body the body, read-only
 */
public record CaptureRecord(Instant time, String id, String policy, String target, String method,
    String uri, Headers headers, ByteBuffer body) {

  private static final JsonFactory JSON = new JsonFactory();

  /** Validates; the body is kept read-only. */
  public CaptureRecord {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(headers, "headers");
    body = body == null ? ByteBuffer.allocate(0).asReadOnlyBuffer() : body.asReadOnlyBuffer();
  }

  /** Returns the body as a read-only buffer of its own. */
  @Override
  public ByteBuffer body() {
    return body.duplicate();
  }

  /** Writes this record as one line of JSON, ending with a newline. */
  public void writeTo(OutputStream out) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(256 + body.remaining());
    try (JsonGenerator json = JSON.createGenerator(line)) {
      json.writeStartObject();
      json.writeStringField("time", time.toString());
      json.writeStringField("id", id);
      json.writeStringField("policy", policy);
      json.writeStringField("target", target);
      json.writeStringField("method", method);
      json.writeStringField("uri", uri);
      json.writeArrayFieldStart("headers");
      for (int i = 0; i < headers.size(); i++) {
        json.writeStartArray();
        json.writeString(headers.name(i));
        json.writeString(headers.value(i));
        json.writeEndArray();
      }
      json.writeEndArray();
      String text = utf8(body.duplicate());
      if (text != null) {
        json.writeStringField("body", text);
      } else {
        byte[] bytes = new byte[body.remaining()];
        body.duplicate().get(bytes);
        json.writeStringField("bodyBase64", Base64.getEncoder().encodeToString(bytes));
      }
      json.writeEndObject();
    }
    line.write('\n');
    line.writeTo(out);
  }

  private static String utf8(ByteBuffer bytes) {
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Reads one line of a capture file.
   *
   * @throws IOException naming what is wrong, if the line is not a record
   */
  public static CaptureRecord parse(String line) throws IOException {
    Instant time = null;
    String id = null;
    String policy = null;
    String target = null;
    String method = null;
    String uri = null;
    Headers.Builder headers = Headers.builder();
    ByteBuffer body = null;
    try (JsonParser json = JSON.createParser(line)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String field = json.currentName();
        JsonToken value = json.nextToken();
        switch (field) {
          case "time" -> time = Instant.parse(json.getText());
          case "id" -> id = json.getText();
          case "policy" -> policy = json.getText();
          case "target" -> target = json.getText();
          case "method" -> method = json.getText();
          case "uri" -> uri = json.getText();
          case "headers" -> {
            if (value != JsonToken.START_ARRAY) {
              throw new IOException("headers: must be an array of [name, value] pairs");
            }
            while (json.nextToken() == JsonToken.START_ARRAY) {
              json.nextToken();
              String name = json.getText();
              json.nextToken();
              headers.add(name, json.getText());
              if (json.nextToken() != JsonToken.END_ARRAY) {
                throw new IOException("headers: each must be a [name, value] pair");
              }
            }
          }
          case "body" -> body = ByteBuffer.wrap(json.getText().getBytes(StandardCharsets.UTF_8));
          case "bodyBase64" -> body = ByteBuffer.wrap(Base64.getDecoder().decode(json.getText()));
          default -> json.skipChildren(); // a field of a later version
        }
      }
    } catch (RuntimeException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (time == null || method == null || uri == null) {
      throw new IOException("time, method and uri: missing, every record must have them");
    }
    return new CaptureRecord(time, id == null ? "" : id, policy == null ? "" : policy,
        target == null ? "" : target, method, uri, headers.build(), body);
  }
}
