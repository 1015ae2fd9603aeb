package dev.mirror.grpc;

import dev.mirror.api.DropReason;
import dev.mirror.api.MirrorDispatcher;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.entry.CaptureSession;
import dev.mirror.core.entry.EntryPoint;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Mirrors the calls of a grpc-java server: registered like any interceptor, with {@code
 * ServerBuilder.intercept(interceptor)} or {@code ServerInterceptors.intercept(service,
 * interceptor)}, and configured with the same {@code mirror.*} keys as the servlet filter.
 *
 * <p>A call is seen as a request {@code POST /<package.Service>/<Method>} whose headers are the
 * call's metadata ({@code -bin} values base64-encoded as on the wire), so paths, header matches
 * and sticky keys work unchanged. Each request message is serialized with the method's own
 * marshaller as the application receives it and kept, framed as gRPC frames it on the wire; when
 * the client half-closes, the copy (every message, in order) is handed to the dispatcher, which
 * sends it to {@code grpc://} and {@code grpcs://} targets through this module's transport. A
 * stream whose messages add up to more than {@code mirror.max-body-bytes} is given up and counted
 * as over the limit; a call cancelled before its half-close is counted as an incomplete body.
 *
 * <p>The primary call never waits for the copy (unless its policy is synchronous) and never sees
 * its errors: everything mirroring does is guarded and counted.
 */
public final class MirrorServerInterceptor implements ServerInterceptor, AutoCloseable {

  private static final String CONTENT_TYPE = "application/grpc";

  private final EntryPoint entry;
  private final MirrorEngine ownedEngine;

  /** An interceptor over a dispatcher the caller keeps and closes. */
  public MirrorServerInterceptor(MirrorDispatcher dispatcher) {
    this(Objects.requireNonNull(dispatcher, "dispatcher"), null);
  }

  private MirrorServerInterceptor(MirrorDispatcher dispatcher, MirrorEngine ownedEngine) {
    this.entry = new EntryPoint(dispatcher, "grpc interceptor");
    this.ownedEngine = ownedEngine;
  }

  /**
   * An interceptor with its own engine, made from {@code mirror.*} keys and closed by {@link
   * #close()}.
   *
   * @throws IllegalArgumentException (a {@code MirrorConfigException}) naming the key of an
   *     invalid configuration
   */
  public static MirrorServerInterceptor create(Map<String, String> properties) {
    return create(MirrorConfig.parse(properties));
  }

  /** An interceptor with its own engine, made from this configuration and closed by {@link #close()}. */
  public static MirrorServerInterceptor create(MirrorConfig config) {
    MirrorEngine engine = config.newEngine();
    return new MirrorServerInterceptor(engine, engine);
  }

  /** Returns the dispatcher copies go to. */
  public MirrorDispatcher dispatcher() {
    return entry.dispatcher();
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    CallView view = CallView.of(call, headers);
    CaptureSession session;
    try {
      session = entry.open(view, null, -1, true);
    } finally {
      view.clear();
    }
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    if (session == null) {
      return listener;
    }
    return new Capturing<>(listener, session, call, headers);
  }

  /** Closes the engine this interceptor made, draining copies in flight; one passed in stays open. */
  @Override
  public void close() {
    if (ownedEngine != null) {
      ownedEngine.close();
    }
  }

  /** Keeps each request message as the application receives it; submits at the half-close. */
  private static final class Capturing<Q, A>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q>
      implements Supplier<MirroredRequest.Builder> {

    private final CaptureSession session;
    private final ServerCall<Q, A> call;
    private final Metadata headers;

    Capturing(ServerCall.Listener<Q> delegate, CaptureSession session, ServerCall<Q, A> call,
        Metadata headers) {
      super(delegate);
      this.session = session;
      this.call = call;
      this.headers = headers;
    }

    @Override
    public void onMessage(Q message) {
      if (session.bodyOpen()) {
        keep(message);
      }
      super.onMessage(message);
    }

    private void keep(Q message) {
      try (InputStream bytes = call.getMethodDescriptor().streamRequest(message)) {
        session.keepMessage(bytes, bytes instanceof KnownLength ? bytes.available() : -1);
      } catch (Exception | Error e) {
        session.abandon(DropReason.ERROR);
      }
    }

    @Override
    public void onHalfClose() {
      session.bodyEnded();
      session.finish(null, this);
      super.onHalfClose();
    }

    @Override
    public void onCancel() {
      session.abandon(DropReason.INCOMPLETE_BODY);
      super.onCancel();
    }

    @Override
    public void onComplete() {
      session.abandon(DropReason.INCOMPLETE_BODY); // nothing if the copy already went
      super.onComplete();
    }

    /** The copy's request line and headers, made only for a call that is mirrored. */
    @Override
    public MirroredRequest.Builder get() {
      boolean secure = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION) != null;
      SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      MirroredRequest.Builder builder = MirroredRequest.builder()
          .method("POST")
          .scheme(secure ? "https" : "http")
          .rawPath(CallView.path(call.getMethodDescriptor()))
          .headers(GrpcHeaders.fromMetadata(headers, CONTENT_TYPE));
      String authority = call.getAuthority();
      if (authority != null) {
        builder.host(authority);
      }
      if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
        builder.remoteAddress(inet.getAddress().getHostAddress());
      }
      return builder;
    }
  }
}
