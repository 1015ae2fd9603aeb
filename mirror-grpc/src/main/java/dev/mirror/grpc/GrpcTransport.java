package dev.mirror.grpc;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.core.transport.NioHttp2Transport;
import io.grpc.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * Sends copies to {@code grpc://} (cleartext HTTP/2, prior knowledge) and {@code grpcs://} (TLS
 * with ALPN {@code h2}, the target's TLS context: mTLS from the same {@code mirror.tls.*} keys as
 * HTTPS) targets as what a gRPC call is on the wire: an HTTP/2 {@code POST} to
 * {@code /<package.Service>/<Method>} whose body is the call's messages, framed as {@link
 * MirrorServerInterceptor} keeps them, sent as they are through core's HTTP/2 sender ({@link
 * NioHttp2Transport}, its own event loop thread {@code mirror-grpc-N}). No message is parsed or
 * serialized again, and no client call machinery runs per copy: measured side by side, that is
 * what makes a copy cost a few microseconds instead of tens (bench/RESULTS.md §6).
 *
 * <p>Headers: the copy's metadata as it came, with {@code content-type}, {@code te: trailers},
 * {@code user-agent} and {@code grpc-timeout} (the target's read timeout) written here. The
 * deadline is the read timeout; answers are drained and not kept. How a call ends is reported by
 * its status, as grpc-java would read it: {@code grpc-status} from the trailers when given, else
 * the HTTP status's gRPC code (doc/http-grpc-status-mapping.md). {@code OK} and the application's own codes count as an
 * answer (with the HTTP status gRPC's mapping gives, and a {@code grpc-status} header); {@code
 * UNAVAILABLE}, {@code CANCELLED} and {@code DEADLINE_EXCEEDED} as a failure, classified like
 * HTTP's (connect, TLS, timeout, I/O).
 */
final class GrpcTransport implements MirrorTransport {

  private static final Set<String> TRANSPORT_OWNED = Set.of("host", "content-type",
      "content-length", "te", "connection", "transfer-encoding", "keep-alive", "upgrade",
      "user-agent", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding");

  private final NioHttp2Transport http2 = NioHttp2Transport.create("mirror-grpc");

  @Override
  public CompletableFuture<ShadowResponse> send(ShadowRequest request) {
    ShadowRequest call;
    try {
      checkPath(request);
      checkMessages(request.body(), null);
      call = new ShadowRequest(request.policy(), request.target(), request.requestId(), "POST",
          request.uri(), headers(request), request.body(), 0);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return http2.send(call).thenApply(GrpcTransport::outcome);
  }

  /** The sender's loop: a copy prepared there is written without another hand-off. */
  @Override
  public Executor executor() {
    return http2.executor();
  }

  /** Every future completes within the read timeout, or at close. */
  @Override
  public boolean enforcesTimeouts() {
    return true;
  }

  /** The HTTP/2 sender's streams per shadow. */
  @Override
  public int maxInFlight(MirrorTarget target) {
    return http2.maxInFlight(target);
  }

  @Override
  public void close() {
    http2.close();
  }

  private static Headers headers(ShadowRequest request) {
    Headers copy = request.headers();
    Headers.Builder headers = Headers.builder();
    String contentType = null;
    for (int i = 0; i < copy.size(); i++) {
      String name = copy.name(i).toLowerCase(Locale.ROOT);
      if (name.equals("content-type") && copy.value(i).startsWith("application/grpc")) {
        contentType = copy.value(i);
      }
      if (!name.startsWith(":") && !TRANSPORT_OWNED.contains(name)) {
        headers.add(name, copy.value(i));
      }
    }
    long millis = Math.max(1, request.target().readTimeout().toMillis());
    return headers
        .add("content-type", contentType != null ? contentType : "application/grpc")
        .add("te", "trailers")
        .add("user-agent", "mirror")
        // At most 8 digits (the gRPC wire spec): a read timeout is at most an hour.
        .add("grpc-timeout", millis <= 99_999_999 ? millis + "m" : (millis / 1000) + "S")
        .build();
  }

  /**
   * The call's outcome from its HTTP/2 answer.
   *
   * @throws CompletionException with a {@link TimeoutException} or {@link IOException} for a
   *     status that means the shadow's application gave no answer
   */
  static ShadowResponse outcome(ShadowResponse answer) {
    Status.Code code;
    String grpcStatus = answer.headers().first("grpc-status");
    if (grpcStatus != null) {
      code = parseCode(grpcStatus); // when given, it decides (http-grpc-status-mapping.md)
    } else if (answer.statusCode() != 200) {
      code = fromHttp(answer.statusCode());
    } else {
      code = Status.Code.UNKNOWN; // as grpc-java reads an answer without grpc-status
    }
    String message = answer.headers().first("grpc-message");
    Status status = code.toStatus().withDescription(message == null ? null
        : percentDecoded(message));
    Throwable failure = failure(status);
    if (failure != null) {
      throw new CompletionException(failure);
    }
    return new ShadowResponse(httpStatus(code), answer.headers().toBuilder()
        .set("grpc-status", Integer.toString(code.value())).build());
  }

  /** grpc-message is percent-encoded UTF-8 (PROTOCOL-HTTP2.md); a bad escape stays as it is. */
  static String percentDecoded(String message) {
    if (message.indexOf('%') < 0) {
      return message;
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(message.length());
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      if (c == '%' && i + 2 < message.length()
          && Character.digit(message.charAt(i + 1), 16) >= 0
          && Character.digit(message.charAt(i + 2), 16) >= 0) {
        bytes.write(Integer.parseInt(message.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.write((byte) c);
      }
    }
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static Status.Code parseCode(String value) {
    try {
      return Status.fromCodeValue(Integer.parseInt(value.trim())).getCode();
    } catch (NumberFormatException e) {
      return Status.Code.UNKNOWN;
    }
  }

  /** gRPC's reading of an HTTP status that is not 200 (doc/http-grpc-status-mapping.md). */
  static Status.Code fromHttp(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> Status.Code.INTERNAL;
      case 401 -> Status.Code.UNAUTHENTICATED;
      case 403 -> Status.Code.PERMISSION_DENIED;
      case 404 -> Status.Code.UNIMPLEMENTED;
      case 429, 502, 503, 504 -> Status.Code.UNAVAILABLE;
      default -> Status.Code.UNKNOWN;
    };
  }

  /**
   * Checks that the copy's path names a method.
   *
   * @throws IllegalArgumentException if it is not {@code /<package.Service>/<Method>}
   */
  static String checkPath(ShadowRequest request) {
    String path = request.uri().getRawPath();
    if (path == null || path.length() < 4 || path.indexOf('/', 1) < 0 || path.endsWith("/")
        || request.uri().getRawQuery() != null) {
      throw new IllegalArgumentException("path: was " + path + (request.uri().getRawQuery() == null
          ? "" : "?" + request.uri().getRawQuery())
          + ", must be /<package.Service>/<Method> for a gRPC target");
    }
    return path.substring(1);
  }

  /**
   * Checks that a body is a sequence of uncompressed gRPC frames, adding each message (without
   * its frame, not copied) to {@code messages} unless that is null.
   *
   * @throws IllegalArgumentException if it is not
   */
  static void checkMessages(ByteBuffer body, java.util.List<ByteBuffer> messages) {
    int at = body.position();
    int end = body.limit();
    while (at < end) {
      if (end - at < 5 || body.get(at) != 0) {
        throw new IllegalArgumentException("body: was not a sequence of uncompressed gRPC"
            + " messages, must be (a flag byte 0, a 4-byte length, the message, repeated)");
      }
      int length = body.getInt(at + 1);
      if (length < 0 || length > end - at - 5) {
        throw new IllegalArgumentException("body: a gRPC message of " + length
            + " bytes was cut off after " + (end - at - 5) + ", must be whole");
      }
      if (messages != null) {
        messages.add(body.slice(at + 5, length));
      }
      at += 5 + length;
    }
  }

  /** A status that means the copy got no answer from the shadow's application, as a failure. */
  static Throwable failure(Status status) {
    Status.Code code = status.getCode();
    if (code == Status.Code.DEADLINE_EXCEEDED) {
      TimeoutException timeout = new TimeoutException("gRPC " + describe(status));
      timeout.initCause(status.asException());
      return timeout;
    }
    if (status.getCause() != null || code == Status.Code.UNAVAILABLE
        || code == Status.Code.CANCELLED) {
      return new IOException("gRPC " + describe(status), status.asException());
    }
    return null;
  }

  private static String describe(Status status) {
    return status.getCode() + (status.getDescription() == null ? ""
        : ": " + status.getDescription());
  }

  /** gRPC's own mapping of its codes to HTTP statuses (google.rpc.Code). */
  static int httpStatus(Status.Code code) {
    return switch (code) {
      case OK -> 200;
      case CANCELLED -> 499;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
      case DEADLINE_EXCEEDED -> 504;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case PERMISSION_DENIED -> 403;
      case UNAUTHENTICATED -> 401;
      case RESOURCE_EXHAUSTED -> 429;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      default -> 500; // UNKNOWN, INTERNAL, DATA_LOSS
    };
  }
}
