package dev.mirror.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Measures what a client waits for: the first byte of an answer, over a raw socket. */
public final class FirstByte {

  private FirstByte() {}

  /**
   * Sends a POST to 127.0.0.1 and returns the milliseconds from its last byte to the first byte
   * of the answer (status line included); then reads the answer to its end.
   */
  public static long millis(int port, String path, byte[] body) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + body.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      long start = System.nanoTime();
      assertThat(socket.getInputStream().read()).as("first byte of the answer").isNotNegative();
      long millis = (System.nanoTime() - start) / 1_000_000;
      socket.getInputStream().readAllBytes();
      return millis;
    }
  }
}
