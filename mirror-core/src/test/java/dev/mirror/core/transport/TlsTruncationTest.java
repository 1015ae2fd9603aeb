package dev.mirror.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.core.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 9112 §9.8: over TLS, an answer delimited by the close of the connection is whole only if the
 * shadow sent close_notify; a bare TCP close may have cut it short, so the copy counts as failed
 * (it was delivered; nothing is sent again) instead of as a 200 with a truncated body.
 */
class TlsTruncationTest {

  private final TestPki pki = new TestPki();
  private final NioHttpTransport transport = NioHttpTransport.create();
  private ServerSocket listener;

  @AfterEach
  void stop() throws IOException {
    transport.close();
    if (listener != null) {
      listener.close();
    }
  }

  /** Answers one request with a body delimited by the close, then closes cleanly or not. */
  private MirrorTarget shadow(boolean closeNotify) throws IOException {
    HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
        .heldCertificate(pki.server).build();
    listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread t = new Thread(() -> {
      try (Socket plain = listener.accept()) {
        SSLSocket tls = (SSLSocket) serverTls.sslSocketFactory().createSocket(plain,
            "127.0.0.1", plain.getPort(), false);
        tls.setUseClientMode(false);
        tls.startHandshake();
        InputStream in = tls.getInputStream();
        int matched = 0;
        while (matched < 4) { // to the end of the request head
          int b = in.read();
          if (b < 0) {
            return;
          }
          matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        OutputStream out = tls.getOutputStream();
        out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nthe whole answer"
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        if (closeNotify) {
          tls.close(); // close_notify, then the socket (try-with-resources)
        }
        // else: the socket closes under the TLS layer, with no close_notify
      } catch (IOException e) {
        // the test's assertions tell
      }
    }, "truncating-tls-shadow");
    t.setDaemon(true);
    t.start();
    HandshakeCertificates clientTls = new HandshakeCertificates.Builder()
        .addTrustedCertificate(pki.ca.certificate()).build();
    return MirrorTarget.builder("t", "https://127.0.0.1:" + listener.getLocalPort())
        .sslContext(clientTls.sslContext()).readTimeout(Duration.ofSeconds(5)).build();
  }

  private CompletableFuture<ShadowResponse> send(MirrorTarget target) {
    return transport.send(new ShadowRequest("p", target, "id-1", "GET",
        URI.create(target.address() + "/x"), Headers.of("Host", "127.0.0.1"),
        ByteBuffer.allocate(0).asReadOnlyBuffer()));
  }

  @Test
  void anAnswerEndedByCloseNotifyIsWhole() throws Exception {
    assertThat(send(shadow(true)).get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void anAnswerEndedByABareCloseIsNotTrusted() throws Exception {
    CompletableFuture<ShadowResponse> answer = send(shadow(false));
    assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("close_notify");
    assertThat(transport.resends()).isZero();
  }
}
