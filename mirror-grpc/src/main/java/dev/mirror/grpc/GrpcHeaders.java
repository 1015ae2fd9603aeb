package dev.mirror.grpc;

import dev.mirror.api.Headers;
import io.grpc.Metadata;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Metadata as headers and back. A {@code -bin} value travels base64-encoded, as on HTTP/2's wire;
 * the names gRPC's transport owns (content type, timeouts, encodings, the authority) are its own
 * to write on each side.
 */
final class GrpcHeaders {

  /** Written by the transport that sends the copy, never taken from the copy's headers. */
  private static final Set<String> TRANSPORT_OWNED = Set.of("host", "content-type",
      "content-length", "te", "connection", "transfer-encoding", "keep-alive", "upgrade",
      "user-agent", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding");

  private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();

  private GrpcHeaders() {}

  /** The first value under {@code name} (any case), or null; {@code -bin} values in base64. */
  static String first(Metadata metadata, String name) {
    Metadata.Key<?> key = LOOKUP_KEYS.get(name);
    if (key == null) {
      String lower = name.toLowerCase(Locale.ROOT);
      try {
        key = lower.endsWith(Metadata.BINARY_HEADER_SUFFIX) ? binaryKey(lower) : asciiKey(lower);
      } catch (IllegalArgumentException notAMetadataName) {
        return null;
      }
      if (LOOKUP_KEYS.size() < MAX_KEYS) {
        LOOKUP_KEYS.put(name, key);
      }
    }
    Object value = metadata.get(key);
    return value instanceof byte[] bytes ? ENCODER.encodeToString(bytes) : (String) value;
  }

  /** Keys made once per name (making one checks every char); names seen are few. */
  private static final Map<String, Metadata.Key<String>> ASCII_KEYS = new ConcurrentHashMap<>();
  private static final Map<String, Metadata.Key<byte[]>> BINARY_KEYS = new ConcurrentHashMap<>();
  /** The key of each name as the dispatcher asks for it (any case): no lower-casing per call. */
  private static final Map<String, Metadata.Key<?>> LOOKUP_KEYS = new ConcurrentHashMap<>();
  private static final int MAX_KEYS = 4096;

  private static Metadata.Key<String> asciiKey(String name) {
    Metadata.Key<String> key = ASCII_KEYS.get(name);
    if (key == null) {
      key = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
      if (ASCII_KEYS.size() < MAX_KEYS) {
        ASCII_KEYS.put(name, key);
      }
    }
    return key;
  }

  private static Metadata.Key<byte[]> binaryKey(String name) {
    Metadata.Key<byte[]> key = BINARY_KEYS.get(name);
    if (key == null) {
      key = Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER);
      if (BINARY_KEYS.size() < MAX_KEYS) {
        BINARY_KEYS.put(name, key);
      }
    }
    return key;
  }

  /**
   * The call's metadata as headers, in order by name, with {@code Content-Type} set to the gRPC
   * one if the metadata has none.
   */
  static Headers fromMetadata(Metadata metadata, String contentType) {
    Headers.Builder headers = Headers.builder();
    boolean typed = false;
    for (String key : metadata.keys()) {
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        for (byte[] value : metadata.getAll(binaryKey(key))) {
          headers.add(key, ENCODER.encodeToString(value));
        }
      } else {
        for (String value : metadata.getAll(asciiKey(key))) {
          headers.add(key, value);
        }
        typed |= key.equals("content-type");
      }
    }
    if (!typed) {
      headers.add("content-type", contentType);
    }
    return headers.build();
  }

  /**
   * The copy's headers as metadata, without the names gRPC's transport writes itself.
   *
   * @throws IllegalArgumentException if a name cannot be metadata or a {@code -bin} value is not
   *     base64 (the copy cannot be sent as it is)
   */
  static Metadata toMetadata(Headers headers) {
    Metadata metadata = new Metadata();
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i).toLowerCase(Locale.ROOT);
      if (name.startsWith(":") || TRANSPORT_OWNED.contains(name)) {
        continue;
      }
      if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        byte[] value;
        try {
          value = Base64.getDecoder().decode(headers.value(i).trim());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("header " + name + ": was not base64, must be for a"
              + " -bin metadata value", e);
        }
        metadata.put(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER), value);
      } else {
        metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), headers.value(i));
      }
    }
    return metadata;
  }

  /** An answer's metadata as headers, plus its status code as {@code grpc-status}. */
  static Headers answer(Metadata metadata, int statusCode) {
    Headers.Builder headers = metadata == null ? Headers.builder()
        : fromMetadata(metadata, "application/grpc").toBuilder();
    return headers.set("grpc-status", Integer.toString(statusCode)).build();
  }
}
