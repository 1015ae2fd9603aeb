package dev.mirror.grpc;

import dev.mirror.api.RequestView;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A gRPC call as the dispatcher decides on it: {@code POST /<full method name>}, with the call's
 * metadata as headers. One per thread, pointed at each call in turn (see {@link #of}): deciding
 * on a call that is not mirrored allocates nothing.
 */
final class CallView implements RequestView {

  private static final ThreadLocal<CallView> CURRENT = ThreadLocal.withInitial(CallView::new);
  /** The path of each method, made once: the server's methods are a fixed, small set. */
  private static final Map<MethodDescriptor<?, ?>, String> PATHS = new ConcurrentHashMap<>();
  private static final int MAX_PATHS = 4096;

  private ServerCall<?, ?> call;
  private Metadata headers;

  private CallView() {}

  /** This thread's view, pointed at the call; {@link #clear()} it once decided. */
  static CallView of(ServerCall<?, ?> call, Metadata headers) {
    CallView view = CURRENT.get();
    view.call = call;
    view.headers = headers;
    return view;
  }

  /** Lets the call go, so the thread's view keeps nothing alive. */
  void clear() {
    call = null;
    headers = null;
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public String rawPath() {
    return path(call.getMethodDescriptor());
  }

  /** {@code /<full method name>}, made once per method. */
  static String path(MethodDescriptor<?, ?> method) {
    String path = PATHS.get(method);
    if (path == null) {
      path = "/" + method.getFullMethodName();
      if (PATHS.size() < MAX_PATHS) {
        PATHS.put(method, path);
      }
    }
    return path;
  }

  @Override
  public String header(String name) {
    return GrpcHeaders.first(headers, name);
  }
}
