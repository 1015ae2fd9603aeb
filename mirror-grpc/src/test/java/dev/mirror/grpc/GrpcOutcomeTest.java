package dev.mirror.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.api.Headers;
import dev.mirror.api.ShadowResponse;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * How a gRPC copy's HTTP/2 answer is read (doc/http-grpc-status-mapping.md): grpc-status decides
 * when given, else the HTTP status; codes that mean no answer from the application are failures.
 */
class GrpcOutcomeTest {

  private static ShadowResponse answer(int http, String... headers) {
    return new ShadowResponse(http, Headers.of(headers));
  }

  @Test
  void grpcStatusDecides_whenGiven_evenBesideAnotherHttpStatus() {
    ShadowResponse r = GrpcTransport.outcome(answer(503, "grpc-status", "5"));
    assertThat(r.statusCode()).isEqualTo(404); // NOT_FOUND
    assertThat(r.headers().first("grpc-status")).isEqualTo("5");
  }

  @Test
  void withoutGrpcStatus_theHttpStatusMaps() {
    assertThat(GrpcTransport.outcome(answer(404)).statusCode()).isEqualTo(501); // UNIMPLEMENTED
    assertThatThrownBy(() -> GrpcTransport.outcome(answer(503)))
        .isInstanceOf(CompletionException.class).hasCauseInstanceOf(IOException.class);
    assertThat(GrpcTransport.outcome(answer(200)).statusCode()).as("UNKNOWN").isEqualTo(500);
  }

  @Test
  void okAndApplicationCodesAreAnswers_unavailableAndDeadlineAreFailures() {
    assertThat(GrpcTransport.outcome(answer(200, "grpc-status", "0")).statusCode())
        .isEqualTo(200);
    assertThat(GrpcTransport.outcome(answer(200, "grpc-status", "3")).statusCode())
        .isEqualTo(400);
    assertThatThrownBy(() -> GrpcTransport.outcome(answer(200, "grpc-status", "14",
        "grpc-message", "shadow%20down")))
        .isInstanceOf(CompletionException.class).hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("shadow down");
    assertThatThrownBy(() -> GrpcTransport.outcome(answer(200, "grpc-status", "4")))
        .hasCauseInstanceOf(TimeoutException.class);
  }

  @Test
  void grpcMessageIsPercentDecodedAsUtf8() {
    assertThat(GrpcTransport.percentDecoded("caf%C3%A9 %E2%9C%93 100%")).isEqualTo("café ✓ 100%");
  }
}
