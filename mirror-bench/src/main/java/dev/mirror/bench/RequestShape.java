package dev.mirror.bench;

import java.net.URI;
import java.util.Arrays;
import javax.net.ssl.SSLContext;

/**
 * What every candidate sends in one run: the same method, path, body and scheme whatever the
 * client, so that only the client differs. {@code get}: {@code GET /x?i=N} without a body;
 * {@code post1k}: {@code POST /x?i=N} with 1 KiB ({@code Content-Length: 1024}, {@code
 * Content-Type: application/octet-stream}); {@code tls}: the GET over https, trusting the shadow's
 * certificate through {@code tls} (null in the clear).
 */
record RequestShape(String name, URI base, String method, byte[] body, SSLContext tls) {

  static final String CONTENT_TYPE = "application/octet-stream";

  /** A shape by name; {@code https} and {@code tls} matter only for {@code tls}. */
  static RequestShape named(String name, URI http, URI https, SSLContext tls) {
    return switch (name) {
      case "get" -> new RequestShape(name, http, "GET", new byte[0], null);
      case "post1k" -> {
        byte[] body = new byte[1024];
        Arrays.fill(body, (byte) 'x');
        yield new RequestShape(name, http, "POST", body, null);
      }
      case "tls" -> new RequestShape(name, https, "GET", new byte[0],
          java.util.Objects.requireNonNull(tls, "tls needs the shadow's certificate (trust=)"));
      default -> throw new IllegalArgumentException("shape: was " + name
          + ", must be get, post1k or tls");
    };
  }

  String path(long i) {
    return "/x?i=" + i;
  }

  URI uri(long i) {
    return base.resolve(path(i));
  }

  boolean hasBody() {
    return body.length > 0;
  }
}
