package dev.mirror.core.conformance;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;

/** Undertow's core server, the handler dispatched from the IO thread to a worker. */
final class UndertowShadow implements ShadowServer {

  private static final HttpString COPY = new HttpString(VerifyingLedger.COPY_HEADER);

  private final Undertow server;

  UndertowShadow(VerifyingLedger ledger) {
    Rules rules = new Rules(ledger);
    server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(new HttpHandler() {
      @Override
      public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
          exchange.dispatch(this);
          return;
        }
        exchange.startBlocking();
        String id = exchange.getRequestHeaders().getFirst(COPY);
        exchange.getInputStream().readAllBytes();
        Reply reply = rules.serve(id, exchange.getRequestPath());
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(COPY, String.valueOf(id));
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, reply.body().length);
        if (reply.close()) {
          exchange.setPersistent(false);
          exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
        }
        exchange.getOutputStream().write(reply.body());
        exchange.endExchange();
      }
    }).build();
    server.start();
  }

  @Override
  public String address() {
    InetSocketAddress bound = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
    return "http://127.0.0.1:" + bound.getPort();
  }

  @Override
  public void close() {
    server.stop();
  }
}
