package dev.mirror.jaxrs;

import dev.mirror.api.DropReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.AnswerCapture;
import dev.mirror.core.CaptureSession;
import dev.mirror.core.EntryPoint;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
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

  private final EntryPoint entry;
  private final CaptureSession session;
  private final InputStream original;
  /** The answer's status, known from the response filter; the body comes later. */
  int status;
  private boolean answered;

  private MirrorExchange(EntryPoint entry, CaptureSession session, InputStream original) {
    this.entry = entry;
    this.session = session;
    this.original = original;
  }

  /** Decides on the request and, if it is mirrored, installs the tee. Never throws. */
  static void start(EntryPoint entry, ContainerRequestContext request, String policy) {
    if (request.getProperty(PROPERTY) != null) {
      return;
    }
    CaptureSession session = null;
    try {
      // hasEntity() first: Jersey may peek a byte and push it back into a stream of its own,
      // so the stream to tee is the one it hands out afterwards.
      session = entry.open(new JaxrsRequestView(request), policy, request.getLength(), true);
      if (session == null) {
        return;
      }
      boolean hasEntity = request.hasEntity();
      InputStream entity = request.getEntityStream();
      if (entity == null || !hasEntity) {
        session.bodyEnded();
      } else if (session.bodyOpen()) {
        request.setEntityStream(session.tee(entity));
      }
      request.setProperty(PROPERTY, new MirrorExchange(entry, session, entity));
    } catch (RuntimeException | Error e) {
      if (session != null) {
        session.abandon(DropReason.ERROR);
      }
      entry.reportError("starting a copy", e);
    }
  }

  /** Completes what the resource left unread (up to the limit) and submits. Never throws. */
  void finish(ContainerRequestContext request) {
    session.finish(original, () -> metadata(request));
  }

  /** Where the answer's entity is teed, if the answer is compared; else null. */
  AnswerCapture answerCapture() {
    return session.answerCapture();
  }

  /** The answer is complete: hands it over for comparison (once; nothing if not compared). */
  void answered(int status, MultivaluedMap<String, ?> headers) {
    if (answered || session.answerCapture() == null) {
      return;
    }
    answered = true;
    Headers.Builder answer = Headers.builder();
    headers.forEach((name, values) -> {
      for (Object value : values) {
        answer.add(name, String.valueOf(value));
      }
    });
    session.answered(status, answer.build());
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
        .host(request.getHeaderString("Host") != null ? request.getHeaderString("Host")
            : uri.getRawAuthority()) // HTTP/2: the authority, never shown as a Host header
        .rawPath(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        .rawQuery(uri.getRawQuery())
        .headers(headers.build());
  }

}
