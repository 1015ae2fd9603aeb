package dev.mirror.grpc;

import dev.mirror.api.RequestView;
import io.grpc.Metadata;
import io.grpc.ServerCall;

/**
 * A gRPC call as the dispatcher decides on it: {@code POST /<full method name>}, with the call's
 * metadata as headers. Made per call; reads what it is asked for, copies nothing.
 */
final class CallView implements RequestView {

  private final ServerCall<?, ?> call;
  private final Metadata headers;
  private String path;

  CallView(ServerCall<?, ?> call, Metadata headers) {
    this.call = call;
    this.headers = headers;
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public String rawPath() {
    if (path == null) {
      path = "/" + call.getMethodDescriptor().getFullMethodName();
    }
    return path;
  }

  @Override
  public String header(String name) {
    return GrpcHeaders.first(headers, name);
  }
}
