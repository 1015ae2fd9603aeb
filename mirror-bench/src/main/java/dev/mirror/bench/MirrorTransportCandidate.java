package dev.mirror.bench;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import java.nio.ByteBuffer;

/**
 * A mirror transport ({@code nio}, {@code jdk}, {@code jetty}) as a candidate: each request is a
 * {@link ShadowRequest} to one target, as the engine hands it over, so connections, pipelining and
 * write batching are the transport's own.
 */
final class MirrorTransportCandidate implements Candidate {

  private final MirrorTransport transport;
  private final RequestShape shape;
  private final MirrorTarget target;
  private final Headers headers;
  private final ByteBuffer body;

  MirrorTransportCandidate(MirrorTransport transport, RequestShape shape) {
    this.transport = transport;
    this.shape = shape;
    this.target = MirrorTarget.builder("t", shape.base().getScheme() + "://"
        + shape.base().getAuthority()).sslContext(shape.tls()).build();
    this.headers = shape.hasBody()
        ? Headers.of("Content-Type", RequestShape.CONTENT_TYPE) : Headers.empty();
    this.body = ByteBuffer.wrap(shape.body()).asReadOnlyBuffer();
  }

  @Override
  public void send(long i, Completion completion) {
    ShadowRequest copy = new ShadowRequest("p", target, "id", shape.method(), shape.uri(i),
        headers, body);
    transport.send(copy).whenComplete((r, e) -> completion.done(e == null));
  }

  @Override
  public void close() {
    transport.close();
  }
}
