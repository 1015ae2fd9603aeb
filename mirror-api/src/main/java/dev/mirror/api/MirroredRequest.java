package dev.mirror.api;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Objects;

/**
 * An immutable copy of one received request, as it will be mirrored.
 *
 * <p>The path and query are kept exactly as they arrived (still percent-encoded, {@code +} kept),
 * never decoded and re-encoded, so the shadow sees the client's bytes. The body is read-only.
 *
 * @param id a request id carried by the copy's marker header, or null to let the dispatcher assign
 *     one
 * @param method the request method, upper case as received, for example {@code POST}
 * @param scheme {@code http} or {@code https}, as the client used
 * @param host the client's original {@code Host}, or null if it sent none
 * @param rawPath the path as received, starting with {@code /}
 * @param rawQuery the query as received without the {@code ?}, or null if there was none
 * @param headers the request headers in arrival order
 * @param body the body bytes; read-only, position 0, possibly empty
 * @param remoteAddress the client's address as the container saw it, or null
 * @param trailers the request's trailer fields (HTTP/2, chunked HTTP/1.1), empty if none: copies
 *     leave them out (no transport sends them), counted in the policy's stats ({@code trailersLeftOut}),
 *     never merged into the headers
 */
public record MirroredRequest(
    String id,
    String method,
    String scheme,
    String host,
    String rawPath,
    String rawQuery,
    Headers headers,
    ByteBuffer body,
    String remoteAddress,
    Headers trailers)
    implements RequestView {

  private static final ByteBuffer NO_BODY = ByteBuffer.allocate(0).asReadOnlyBuffer();

  /**
   * Validates and copies the components.
   *
   * <p>A writable {@code body} is copied. A read-only one is taken as it is: whoever made it
   * read-only promises not to change the bytes behind it (this spares a second copy of the body).
   *
   * @throws IllegalArgumentException if the method is empty or the path does not start with
   *     {@code /}
   */
  public MirroredRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(rawPath, "rawPath");
    Objects.requireNonNull(headers, "headers");
    if (method.isEmpty()) {
      throw new IllegalArgumentException("method: was empty, must be an HTTP method token");
    }
    if (!rawPath.startsWith("/")) {
      throw new IllegalArgumentException("rawPath: was " + rawPath + ", must start with /");
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    trailers = trailers == null ? Headers.empty() : trailers;
    if (body == null || !body.hasRemaining()) {
      body = NO_BODY;
    } else if (body.isReadOnly()) {
      body = body.slice();
    } else {
      ByteBuffer copy = ByteBuffer.allocate(body.remaining());
      copy.put(body.duplicate()).flip();
      body = copy.asReadOnlyBuffer();
    }
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the body as a read-only buffer of its own, positioned at 0. */
  @Override
  public ByteBuffer body() {
    return body.duplicate();
  }

  /** Returns the body length in bytes. */
  public int bodyLength() {
    return body.remaining();
  }

  /** Returns the body as a new array. */
  public byte[] bodyBytes() {
    byte[] bytes = new byte[body.remaining()];
    body.duplicate().get(bytes);
    return bytes;
  }

  /** Returns the path and query as received: {@code rawPath} plus {@code ?rawQuery} if any. */
  public String rawTarget() {
    return rawQuery == null ? rawPath : rawPath + '?' + rawQuery;
  }

  @Override
  public String header(String name) {
    return headers.first(name);
  }

  /** Returns this request with another id; the body is shared, not copied. */
  public MirroredRequest withId(String newId) {
    return new MirroredRequest(
        newId, method, scheme, host, rawPath, rawQuery, headers, body, remoteAddress, trailers);
  }

  /** Describes the request without header values or body, which may hold secrets. */
  @Override
  public String toString() {
    return "MirroredRequest[id=" + id + ", " + method + ' ' + rawPath
        + (rawQuery == null ? "" : "?…") + ", headers=" + headers + ", body=" + body.remaining()
        + " bytes]";
  }

  /** Builds a {@link MirroredRequest}; not thread-safe, reusable. */
  public static final class Builder {
    private String id;
    private String method = "GET";
    private String scheme = "http";
    private String host;
    private String rawPath = "/";
    private String rawQuery;
    private Headers headers = Headers.empty();
    private ByteBuffer body = NO_BODY;
    private String remoteAddress;
    private Headers trailers = Headers.empty();

    private Builder() {}

    /** Sets the request id carried by the marker header (default: assigned by the dispatcher). */
    public Builder id(String id) {
      this.id = id;
      return this;
    }

    /** Sets the method (default {@code GET}). */
    public Builder method(String method) {
      this.method = Objects.requireNonNull(method, "method");
      return this;
    }

    /** Sets the scheme the client used (default {@code http}). */
    public Builder scheme(String scheme) {
      this.scheme = Objects.requireNonNull(scheme, "scheme");
      return this;
    }

    /** Sets the client's original Host (default: none). */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** Sets the raw, still-encoded path (default {@code /}). */
    public Builder rawPath(String rawPath) {
      this.rawPath = Objects.requireNonNull(rawPath, "rawPath");
      return this;
    }

    /** Sets the raw query without {@code ?}, or null for none (default none). */
    public Builder rawQuery(String rawQuery) {
      this.rawQuery = rawQuery;
      return this;
    }

    /**
     * Sets path and query from a raw request target such as {@code /a/b?x=1}.
     *
     * @throws IllegalArgumentException if it does not start with {@code /}
     */
    public Builder rawTarget(String rawTarget) {
      Objects.requireNonNull(rawTarget, "rawTarget");
      int q = rawTarget.indexOf('?');
      rawPath(q < 0 ? rawTarget : rawTarget.substring(0, q));
      rawQuery(q < 0 ? null : rawTarget.substring(q + 1));
      if (!rawPath.startsWith("/")) {
        throw new IllegalArgumentException("rawTarget: was " + rawTarget + ", must start with /");
      }
      return this;
    }

    /** Sets the headers (default none). */
    public Builder headers(Headers headers) {
      this.headers = Objects.requireNonNull(headers, "headers");
      return this;
    }

    /** Sets the body; the bytes are copied. */
    public Builder body(byte[] body) {
      Objects.requireNonNull(body, "body");
      this.body = ByteBuffer.wrap(body.clone()).asReadOnlyBuffer();
      return this;
    }

    /** Sets the body; a writable buffer is copied, a read-only one taken as it is. */
    public Builder body(ByteBuffer body) {
      this.body = Objects.requireNonNull(body, "body");
      return this;
    }

    /** Sets the client's address (default unknown). */
    public Builder remoteAddress(String remoteAddress) {
      this.remoteAddress = remoteAddress;
      return this;
    }

    /** Sets the request's trailer fields (default none); copies leave them out, counted. */
    public Builder trailers(Headers trailers) {
      this.trailers = Objects.requireNonNull(trailers, "trailers");
      return this;
    }

    /** Returns the request. */
    public MirroredRequest build() {
      return new MirroredRequest(
          id, method, scheme, host, rawPath, rawQuery, headers, body, remoteAddress, trailers);
    }
  }
}
