package dev.mirror.jaxrs;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirrorDispatcher;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.BodyCapture;
import dev.mirror.core.MirrorEngine;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * One mirrored JAX-RS request: the tee on its entity stream, and finishing it once. Kept as a
 * request property between the request and the response filter.
 */
final class MirrorExchange {

  static final String PROPERTY = MirrorExchange.class.getName();

  private final MirrorDispatcher dispatcher;
  private final Decision decision;
  private final BodyCapture capture;
  private final InputStream original;
  private boolean finished;

  private MirrorExchange(MirrorDispatcher dispatcher, Decision decision, BodyCapture capture,
      InputStream original) {
    this.dispatcher = dispatcher;
    this.decision = decision;
    this.capture = capture;
    this.original = original;
  }

  /** Decides on the request and, if it is mirrored, installs the tee. Never throws. */
  static void start(MirrorDispatcher dispatcher, ContainerRequestContext request, String policy) {
    if (request.getProperty(PROPERTY) != null) {
      return;
    }
    Decision decision = null;
    try {
      JaxrsRequestView view = new JaxrsRequestView(request);
      decision = policy == null || policy.isEmpty()
          ? dispatcher.decide(view) : dispatcher.decide(view, policy);
      if (!decision.mirrored()) {
        return;
      }
      // hasEntity() first: Jersey may peek a byte and push it back into a stream of its own,
      // so the stream to tee is the one it hands out afterwards.
      boolean hasEntity = request.hasEntity();
      InputStream entity = request.getEntityStream();
      BodyCapture capture = BodyCapture.start(
          dispatcher, decision, request.getLength(), entity != null && hasEntity);
      if (capture == null) {
        return;
      }
      if (capture.isOpen()) {
        request.setEntityStream(capture.tee(entity));
      }
      request.setProperty(PROPERTY, new MirrorExchange(dispatcher, decision, capture, entity));
    } catch (RuntimeException | Error e) {
      if (decision != null) {
        dispatcher.abandon(decision, DropReason.ERROR);
      }
      report(dispatcher, e);
    }
  }

  /** Completes what the resource left unread (up to the limit) and submits. Never throws. */
  void finish(ContainerRequestContext request) {
    if (finished) {
      return;
    }
    finished = true;
    try {
      if (capture.isOpen()) {
        try {
          capture.drain(original);
        } catch (IOException | RuntimeException clientGone) {
          // counted as an incomplete body
        }
      }
      capture.finish(dispatcher, decision, metadata(request));
    } catch (RuntimeException | Error e) {
      dispatcher.abandon(decision, DropReason.ERROR);
      report(dispatcher, e);
    }
  }

  private static MirroredRequest.Builder metadata(ContainerRequestContext request) {
    URI uri = request.getUriInfo().getRequestUri();
    Headers.Builder headers = Headers.builder();
    for (Map.Entry<String, List<String>> field : request.getHeaders().entrySet()) {
      for (String value : field.getValue()) {
        headers.add(field.getKey(), value);
      }
    }
    // JAX-RS does not expose the client's address, so X-Forwarded-For is only passed on.
    return MirroredRequest.builder()
        .method(request.getMethod())
        .scheme(uri.getScheme() == null ? "http" : uri.getScheme())
        .host(request.getHeaderString("Host"))
        .rawPath(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        .rawQuery(uri.getRawQuery())
        .headers(headers.build());
  }

  private static void report(MirrorDispatcher dispatcher, Throwable e) {
    if (dispatcher instanceof MirrorEngine) {
      ((MirrorEngine) dispatcher).reportError("JAX-RS filter", e);
    }
  }
}
