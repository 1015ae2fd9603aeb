package dev.mirror.api;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One copy, ready to go to one target: what a {@link MirrorTransport} sends.
 *
 * <p>Everything is final: the path is rewritten, hop-by-hop headers are gone, forwarding and
 * marker headers are added, and the {@code Host} field (if any) is the one to send.
 *
 * @param policy the policy's name
 * @param target the target, with its timeouts
 * @param requestId the id in the marker header
 * @param method the method
 * @param uri the target's address plus the raw path and query
 * @param headers the headers to send, in order
 * @param body the body, read-only
 * @param keepAnswerBytes how much of the answer's body the transport keeps in its {@link
 *     ShadowResponse} (0: none, the body is drained), for comparison
 */
public record ShadowRequest(
    String policy,
    MirrorTarget target,
    String requestId,
    String method,
    URI uri,
    Headers headers,
    ByteBuffer body,
    int keepAnswerBytes) {

  /** Validates; the body is kept as given and must be read-only. */
  public ShadowRequest {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    if (!body.isReadOnly()) {
      throw new IllegalArgumentException("body: was writable, must be read-only");
    }
    if (keepAnswerBytes < 0) {
      throw new IllegalArgumentException("keepAnswerBytes: was " + keepAnswerBytes
          + ", must be at least 0");
    }
  }

  /** A copy whose answer's body is not kept. */
  public ShadowRequest(String policy, MirrorTarget target, String requestId, String method,
      URI uri, Headers headers, ByteBuffer body) {
    this(policy, target, requestId, method, uri, headers, body, 0);
  }

  /** Returns the body as a read-only buffer of its own, positioned at 0. */
  @Override
  public ByteBuffer body() {
    return body.duplicate();
  }

  @Override
  public String toString() {
    return "ShadowRequest[" + requestId + " " + method + " " + target.name() + ", headers="
        + headers + ", body=" + body.remaining() + " bytes]";
  }
}
