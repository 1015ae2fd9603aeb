package dev.mirror.jaxrs;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.entry.AnswerCapture;
import dev.mirror.core.entry.CaptureSession;
import dev.mirror.core.entry.EntryPoint;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * One mirrored JAX-RS request: the tee on its entity stream, and finishing it once. Kept as a
 * request property between the request and the response filter; a request that is not mirrored
 * never has one, and costs nothing beyond the decision.
 */
final class MirrorExchange {

  static final String PROPERTY = MirrorExchange.class.getName();

  private final EntryPoint entry;
  private final CaptureSession session;
  /** The entity stream as the runtime handed it out (untouched by the tee), or null. */
  private final InputStream original;
  private boolean answered;

  private MirrorExchange(EntryPoint entry, CaptureSession session, InputStream original) {
    this.entry = entry;
    this.session = session;
    this.original = original;
  }

  /**
   * Decides on the request and, if it is mirrored, installs the tee. Nothing is allocated, read
   * or wrapped before the decision: the request's length and entity are looked at only for a
   * request that is mirrored. Never throws.
   */
  static void start(EntryPoint entry, ContainerRequestContext request, String policy) {
    if (request.getProperty(PROPERTY) != null) {
      return;
    }
    JaxrsRequestView view = JaxrsRequestView.of(request);
    Decision decision;
    try {
      decision = entry.decide(view, policy);
    } finally {
      view.release();
    }
    if (decision != null) {
      open(entry, request, decision);
    }
  }

  private static void open(EntryPoint entry, ContainerRequestContext request, Decision decision) {
    boolean opened = false;
    CaptureSession session = null;
    try {
      // A declared length says whether there is a body; else hasEntity() decides, first:
      // Jersey may peek a byte and push it back into a stream of its own, so the stream to tee
      // is the one it hands out afterwards. (HTTP/2 bodies may come without a length.)
      long length = declaredLength(request);
      boolean hasEntity = length > 0 || length < 0 && request.hasEntity();
      opened = true;
      session = entry.open(decision, length, hasEntity);
      if (session == null) {
        return;
      }
      InputStream entity = hasEntity ? request.getEntityStream() : null;
      if (entity == null) {
        session.bodyEnded();
      } else if (session.bodyOpen()) {
        request.setEntityStream(session.tee(entity));
      }
      request.setProperty(PROPERTY, new MirrorExchange(entry, session, entity));
    } catch (RuntimeException | Error e) {
      if (session != null) {
        session.abandon(DropReason.ERROR);
      } else if (!opened) {
        entry.abandon(decision, DropReason.ERROR);
      }
      entry.reportError("starting a copy", e);
    }
  }

  /**
   * The declared Content-Length, or -1 without one. Asked for by its lower-case name: a
   * case-insensitive header map (Jersey's) hashes that without copying it, where
   * {@code getLength()} asks for "Content-Length" and pays a lower-cased copy per request. A value
   * that is not a length throws, which gives the room back counted as {@code ERROR}, as the
   * runtime's own parsing error did.
   */
  private static long declaredLength(ContainerRequestContext request) {
    String value = request.getHeaders().getFirst("content-length");
    if (value == null) {
      return -1;
    }
    long length = Long.parseLong(value.trim());
    if (length < 0) {
      throw new IllegalArgumentException("Content-Length: was " + value + ", must be >= 0");
    }
    return length;
  }

  /**
   * The resource is done: completes what it left unread (up to the limit) and submits; for an
   * answer that is compared, keeps the answer (its entity as the runtime writes it, closed by
   * the runtime as the specification says). Never throws.
   */
  void finish(ContainerRequestContext request, ContainerResponseContext response) {
    session.finish(original, () -> metadata(request));
    AnswerCapture capture = session.answerCapture();
    if (capture == null) {
      return;
    }
    try {
      int status = response.getStatus();
      if (!response.hasEntity()) {
        answered(status, response);
      } else {
        response.setEntityStream(capture.tee(response.getEntityStream(),
            () -> answered(status, response)));
      }
    } catch (RuntimeException e) {
      entry.reportError("keeping the answer for comparison", e);
    }
  }

  /** The answer is complete: hands it over for comparison (once). Never throws. */
  private void answered(int status, ContainerResponseContext response) {
    if (answered) {
      return;
    }
    answered = true;
    try {
      session.answered(status, headers(response));
    } catch (RuntimeException e) {
      entry.reportError("reading the answer for comparison", e);
    }
  }

  /** The answer's headers, with its media type as Content-Type if no header says it. */
  private static Headers headers(ContainerResponseContext response) {
    Headers.Builder answer = Headers.builder();
    MultivaluedMap<String, Object> headers = response.getHeaders();
    headers.forEach((name, values) -> {
      for (Object value : values) {
        answer.add(name, String.valueOf(value));
      }
    });
    MediaType type = response.getMediaType();
    if (type != null && !headers.containsKey("Content-Type")) {
      answer.add("Content-Type", type.toString());
    }
    return answer.build();
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
    Headers fields = headers.build();
    String host = fields.first("Host");
    return MirroredRequest.builder()
        .method(request.getMethod())
        .scheme(uri.getScheme() == null ? "http" : uri.getScheme())
        .host(host != null ? host : uri.getRawAuthority()) // HTTP/2: no Host header
        .rawPath(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        .rawQuery(uri.getRawQuery())
        .headers(fields);
  }

}
