/** Mirrors grpc-java calls to {@code grpc://} and {@code grpcs://} targets. */
module dev.mirror.grpc {
  requires transitive dev.mirror.core;
  requires transitive io.grpc;
  requires io.grpc.netty.shaded;

  exports dev.mirror.grpc;

  provides dev.mirror.api.MirrorTransportProvider with dev.mirror.grpc.GrpcTransportProvider;
}
