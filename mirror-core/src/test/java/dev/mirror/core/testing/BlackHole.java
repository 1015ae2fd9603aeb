package dev.mirror.core.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A shadow that accepts connections and never reads or answers: the worst kind. */
public final class BlackHole implements AutoCloseable {

  private final ServerSocket server;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  public BlackHole() throws IOException {
    server = new ServerSocket(0, 1_000, InetAddress.getByName("127.0.0.1"));
    acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          accepted.add(server.accept());
        } catch (IOException closed) {
          return;
        }
      }
    }, "black-hole-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public String address() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  public int connections() {
    return accepted.size();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : accepted) {
      socket.close();
    }
  }
}
