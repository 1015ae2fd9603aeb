package dev.mirror.core.internal.http2;

import dev.mirror.api.Headers;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** One copy on an HTTP/2 connection: its request, its flow-control window, its answer. */
public final class Http2Stream {

  final ShadowRequest request;
  final CompletableFuture<ShadowResponse> result;
  /** What of the body is still to be sent. */
  final ByteBuffer body;
  private final int bodyStart;
  /** 0 until the HEADERS frame is written. */
  int id;
  /**
   * When the copy fails for want of an answer: set once, when it first could be written (or
   * waits for the host's address), and kept if it moves to another connection; 0 until then.
   */
  long deadlineNanos;
  /** The connection it is on now; a connection's queues skip copies that moved away. */
  Http2Connection connection;
  /** Times the shadow refused its stream without processing it. */
  int refusals;
  /** Octets the shadow allows on this stream now. */
  long sendWindow;
  /** Octets of DATA received since this side last widened the stream's window. */
  int unacknowledged;
  /** The answer's status; 0 until its (final) headers arrive. */
  int status;
  Headers.Builder headers;
  boolean blocked;
  private boolean done;

  public Http2Stream(ShadowRequest request, CompletableFuture<ShadowResponse> result) {
    this.request = request;
    this.result = result;
    this.body = request.body();
    this.bodyStart = body.position();
  }

  /** Back to before its HEADERS went out: the shadow refused the stream without processing it. */
  void unstarted() {
    id = 0;
    blocked = false;
    body.position(bodyStart);
    unacknowledged = 0;
    status = 0;
    headers = null;
  }

  boolean done() {
    return done;
  }

  /** Ends the copy with the answer as received. */
  void answered() {
    if (!done) {
      done = true;
      result.complete(new ShadowResponse(status, headers == null ? Headers.empty()
          : headers.build()));
    }
  }

  void fail(Throwable cause) {
    if (!done) {
      done = true;
      result.completeExceptionally(cause);
    }
  }
}
