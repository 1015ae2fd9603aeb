package dev.mirror.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The application: grpc-java's SimpleService on a Netty server on 127.0.0.1, intercepted by
 * mirror, and a channel to it. Answers echo what came: "echo:" and the messages, joined by '+';
 * a unary "hold" is never answered.
 */
final class Primary implements AutoCloseable {

  final Server server;
  final ManagedChannel channel;

  Primary(MirrorServerInterceptor interceptor) throws IOException {
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(new Echo(), interceptor))
        .build().start();
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()
        .build();
  }

  SimpleServiceGrpc.SimpleServiceBlockingStub blocking() {
    return SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  SimpleServiceGrpc.SimpleServiceStub async() {
    return SimpleServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  static SimpleResponse response(String text) {
    return SimpleResponse.newBuilder().setResponseMessage(text).build();
  }

  private static final class Echo extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> answer) {
      if (request.getRequestMessage().equals("hold")) {
        return; // never answers: the client's deadline cancels the call
      }
      answer.onNext(response("echo:" + request.getRequestMessage()));
      answer.onCompleted();
    }

    @Override
    public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> answer) {
      List<String> seen = new ArrayList<>();
      return new StreamObserver<>() {
        @Override
        public void onNext(SimpleRequest request) {
          seen.add(request.getRequestMessage());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          answer.onNext(response("echo:" + String.join("+", seen)));
          answer.onCompleted();
        }
      };
    }

    @Override
    public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> answer) {
      for (int i = 1; i <= 3; i++) {
        answer.onNext(response("echo:" + request.getRequestMessage() + "#" + i));
      }
      answer.onCompleted();
    }

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> answer) {
      return new StreamObserver<>() {
        @Override
        public void onNext(SimpleRequest request) {
          answer.onNext(response("echo:" + request.getRequestMessage()));
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          answer.onCompleted();
        }
      };
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
