package dev.mirror.grpc;

import static dev.mirror.grpc.Primary.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.DropReason;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each call shape, mirrored from a real grpc-java server to a real gRPC shadow over 127.0.0.1. */
class GrpcMirrorTest {

  private static final Metadata.Key<String> USER =
      Metadata.Key.of("x-user", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<byte[]> TRACE_BIN =
      Metadata.Key.of("x-trace-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private RecordingShadow shadow;
  private MirrorServerInterceptor interceptor;
  private Primary primary;

  @BeforeEach
  void start() throws IOException {
    shadow = RecordingShadow.answering();
  }

  @AfterEach
  void stop() throws Exception {
    if (primary != null) {
      primary.close();
    }
    if (interceptor != null) {
      interceptor.close();
    }
    shadow.close();
  }

  private void mirror(String... extraKeys) throws IOException {
    Map<String, String> keys = new java.util.HashMap<>(Map.of(
        "mirror.host", shadow.address("grpc"),
        "mirror.redact-credentials", "true"));
    for (int i = 0; i < extraKeys.length; i += 2) {
      keys.put(extraKeys[i], extraKeys[i + 1]);
    }
    interceptor = MirrorServerInterceptor.create(keys);
    primary = new Primary(interceptor);
  }

  private TargetStats stats() {
    return ((MirrorEngine) interceptor.dispatcher()).stats().targets().get(0);
  }

  @Test
  void unary_arrivesWithItsMessage_metadataRedacted_binKept_deadlineFromReadTimeout()
      throws Exception {
    mirror("mirror.timeout.read", "2s");
    Metadata sent = new Metadata();
    sent.put(USER, "7");
    sent.put(AUTHORIZATION, "Bearer secret-token");
    sent.put(TRACE_BIN, new byte[] {0, 1, 2, (byte) 0xff});
    SimpleResponse answer = primary.blocking()
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(sent))
        .unaryRpc(request("hello"));

    assertThat(answer.getResponseMessage()).isEqualTo("echo:hello");
    RecordingShadow.Call call = shadow.take();
    assertThat(call.method()).isEqualTo("grpc.testing.SimpleService/UnaryRpc");
    assertThat(call.messages()).hasSize(1);
    assertThat(SimpleRequest.parseFrom(call.messages().get(0))).isEqualTo(request("hello"));
    assertThat(call.headers().get(USER)).isEqualTo("7");
    assertThat(call.headers().get(AUTHORIZATION)).isEqualTo("[masked]");
    assertThat(call.headers().get(TRACE_BIN)).containsExactly(0, 1, 2, 0xff);
    assertThat(call.headers().get(Metadata.Key.of("x-mirror-request-id",
        Metadata.ASCII_STRING_MARSHALLER))).isNotBlank();
    // The client allowed 60 s; the copy carries the target's read timeout instead.
    assertThat(call.deadlineMillis()).isBetween(1L, 2_000L);
    await().atMost(Duration.ofSeconds(10)).until(() -> stats().sent() == 1);
    assertThat(stats().responses(2)).isEqualTo(1);
  }

  @Test
  void theGrpcJavaSender_keptForComparison_deliversTheSameCopy() throws Exception {
    mirror("mirror.grpc.sender", "grpc-java");
    primary.blocking().withDeadlineAfter(10, TimeUnit.SECONDS).unaryRpc(request("via grpc-java"));

    RecordingShadow.Call call = shadow.take();
    assertThat(call.method()).isEqualTo("grpc.testing.SimpleService/UnaryRpc");
    assertThat(SimpleRequest.parseFrom(call.messages().get(0)))
        .isEqualTo(request("via grpc-java"));
    await().atMost(Duration.ofSeconds(10)).until(() -> stats().sent() == 1);
  }

  @Test
  void aBadSenderSetting_isRefusedNamingTheKey() {
    assertThatThrownBy(() -> MirrorServerInterceptor.create(Map.of(
        "mirror.host", shadow.address("grpc"), "mirror.grpc.sender", "okhttp")))
        .hasMessageContaining("mirror.grpc.sender").hasMessageContaining("mirror or grpc-java");
    assertThatThrownBy(() -> MirrorServerInterceptor.create(Map.of(
        "mirror.host", shadow.address("grpc"), "mirror.grpc.window", "1")))
        .hasMessageContaining("mirror.grpc.window");
  }

  @Test
  void aCopyInFlight_outlivesThePrimaryCall_whenThatIsCancelled() throws Exception {
    shadow.close();
    shadow = new RecordingShadow(RecordingShadow.Behaviour.SLOW, 500, null);
    mirror();
    // The primary never answers "hold": the client's deadline cancels the call (and its
    // Context) while the copy waits for the slow shadow.
    assertThatThrownBy(() -> primary.blocking().withDeadlineAfter(200, TimeUnit.MILLISECONDS)
        .unaryRpc(request("hold")))
        .isInstanceOf(io.grpc.StatusRuntimeException.class)
        .hasMessageContaining("DEADLINE_EXCEEDED");

    await().atMost(Duration.ofSeconds(10)).until(() -> stats().sent() == 1);
    assertThat(stats().failedTotal()).isZero();
    assertThat(SimpleRequest.parseFrom(shadow.take().messages().get(0)))
        .isEqualTo(request("hold"));
  }

  @Test
  void clientStreaming_carriesEveryMessageInOrder() throws Exception {
    mirror();
    CompletableFuture<SimpleResponse> answer = new CompletableFuture<>();
    StreamObserver<SimpleRequest> requests = primary.async().clientStreamingRpc(observer(answer));
    for (String text : List.of("a", "b", "c")) {
      requests.onNext(request(text));
    }
    requests.onCompleted();

    assertThat(answer.get(10, TimeUnit.SECONDS).getResponseMessage()).isEqualTo("echo:a+b+c");
    RecordingShadow.Call call = shadow.take();
    assertThat(call.method()).isEqualTo("grpc.testing.SimpleService/ClientStreamingRpc");
    assertThat(parse(call.messages())).containsExactly(request("a"), request("b"), request("c"));
  }

  @Test
  void serverStreaming_carriesItsRequest() throws Exception {
    mirror();
    Iterator<SimpleResponse> answers = primary.blocking().serverStreamingRpc(request("s"));
    List<String> texts = new ArrayList<>();
    answers.forEachRemaining(a -> texts.add(a.getResponseMessage()));

    assertThat(texts).containsExactly("echo:s#1", "echo:s#2", "echo:s#3");
    RecordingShadow.Call call = shadow.take();
    assertThat(call.method()).isEqualTo("grpc.testing.SimpleService/ServerStreamingRpc");
    assertThat(parse(call.messages())).containsExactly(request("s"));
  }

  @Test
  void bidiStreaming_carriesEveryMessageInOrder() throws Exception {
    mirror();
    List<String> texts = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<SimpleRequest> requests = primary.async().bidiStreamingRpc(
        new StreamObserver<>() {
          @Override
          public void onNext(SimpleResponse value) {
            texts.add(value.getResponseMessage());
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });
    for (int i = 0; i < 50; i++) {
      requests.onNext(request("m" + i));
    }
    requests.onCompleted();
    done.get(10, TimeUnit.SECONDS);

    assertThat(texts).hasSize(50).startsWith("echo:m0").endsWith("echo:m49");
    RecordingShadow.Call call = shadow.take();
    List<SimpleRequest> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add(request("m" + i));
    }
    assertThat(parse(call.messages())).isEqualTo(expected);
  }

  @Test
  void unknownFields_surviveTheCopy_byteForByte() throws Exception {
    mirror();
    // Field 1 (the message) then field 99, which SimpleRequest does not know.
    byte[] bytes = {0x0a, 0x02, 'h', 'i', (byte) 0x9a, 0x06, 0x03, 'x', 'y', 'z'};
    ClientCall<byte[], byte[]> call = primary.channel.newCall(
        MethodDescriptor.newBuilder(RecordingShadow.BYTES, RecordingShadow.BYTES)
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("grpc.testing.SimpleService/UnaryRpc").build(),
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
    byte[] answer = ClientCalls.blockingUnaryCall(call, bytes);

    assertThat(SimpleResponse.parseFrom(answer).getResponseMessage()).isEqualTo("echo:hi");
    assertThat(shadow.take().messages().get(0)).isEqualTo(bytes);
  }

  @Test
  void excludedMethod_isNotMirrored_andCountedAsFiltered() throws Exception {
    mirror("mirror.exclude-paths", "/grpc.testing.SimpleService/UnaryRpc");
    assertThat(primary.blocking().unaryRpc(request("x")).getResponseMessage()).isEqualTo("echo:x");
    primary.blocking().serverStreamingRpc(request("y")).forEachRemaining(a -> { });

    assertThat(shadow.take().method()).isEqualTo("grpc.testing.SimpleService/ServerStreamingRpc");
    MirrorEngine engine = (MirrorEngine) interceptor.dispatcher();
    assertThat(engine.stats().policies().get(0).filteredOut()).isEqualTo(1);
    assertThat(shadow.started.get()).isEqualTo(1);
  }

  @Test
  void streamOverTheBodyLimit_isDroppedAsTooLarge_primaryUnchanged() throws Exception {
    mirror("mirror.max-body-bytes", "64");
    CompletableFuture<SimpleResponse> answer = new CompletableFuture<>();
    StreamObserver<SimpleRequest> requests = primary.async().clientStreamingRpc(observer(answer));
    String thirty = "x".repeat(30);
    for (int i = 0; i < 3; i++) {
      requests.onNext(request(thirty)); // 37 bytes framed: the second passes the limit
    }
    requests.onCompleted();

    assertThat(answer.get(10, TimeUnit.SECONDS).getResponseMessage())
        .isEqualTo("echo:" + thirty + "+" + thirty + "+" + thirty);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> stats().dropped(DropReason.BODY_TOO_LARGE) == 1);
    assertThat(stats().sent()).isZero();
    assertThat(shadow.started.get()).isZero();
  }

  @Test
  void callCancelledBeforeItsHalfClose_isCountedIncomplete_andNothingIsSent() throws Exception {
    mirror();
    CompletableFuture<SimpleResponse> answer = new CompletableFuture<>();
    StreamObserver<SimpleRequest> requests = primary.async().clientStreamingRpc(observer(answer));
    requests.onNext(request("half"));
    await().atMost(Duration.ofSeconds(10)).until(() -> stats().offered() == 1);
    requests.onError(Status.CANCELLED.asException());

    await().atMost(Duration.ofSeconds(10))
        .until(() -> stats().dropped(DropReason.INCOMPLETE_BODY) == 1);
    assertThat(stats().sent()).isZero();
    assertThat(shadow.started.get()).isZero();
  }

  @Test
  void loopMarker_onAnIncomingCall_isNotMirroredAgain() throws Exception {
    mirror();
    Metadata marked = new Metadata();
    marked.put(Metadata.Key.of("x-mirror-request-id", Metadata.ASCII_STRING_MARSHALLER), "abc");
    primary.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(marked))
        .unaryRpc(request("copy"));

    await().atMost(Duration.ofSeconds(10)).until(() -> stats().dropped(DropReason.LOOP) == 1);
    assertThat(shadow.started.get()).isZero();
  }

  @Test
  void anHttpTargetBesideAGrpcOne_isServedByItsOwnTransport_andGrpcNeedsThisModule() {
    assertThatThrownBy(() -> MirrorServerInterceptor.create(Map.of("mirror.host",
        "grpcx://127.0.0.1:1")))
        .hasMessageContaining("mirror.host: was grpcx://127.0.0.1:1")
        .hasMessageContaining("no transport on the class path serves grpcx://");
  }

  private static List<SimpleRequest> parse(List<byte[]> messages) throws IOException {
    List<SimpleRequest> out = new ArrayList<>();
    for (byte[] m : messages) {
      out.add(SimpleRequest.parseFrom(m));
    }
    return out;
  }

  private static StreamObserver<SimpleResponse> observer(CompletableFuture<SimpleResponse> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleResponse value) {
        into.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        into.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }
}
