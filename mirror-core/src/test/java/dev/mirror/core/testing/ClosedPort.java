package dev.mirror.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A loopback port nothing listens on: connections to it are refused at once. */
public final class ClosedPort {

  private ClosedPort() {}

  /** Finds one (a port just released; nothing else on this machine takes it so soon). */
  public static int find() {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
