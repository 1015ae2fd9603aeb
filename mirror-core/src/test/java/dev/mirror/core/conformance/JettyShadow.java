package dev.mirror.core.conformance;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/** Jetty 12's core server (no servlet): a blocking {@link Handler.Abstract}. */
final class JettyShadow implements ShadowServer {

  private final Server server = new Server();
  private final ServerConnector connector = new ServerConnector(server);

  JettyShadow(VerifyingLedger ledger) throws Exception {
    Rules rules = new Rules(ledger);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws Exception {
        String id = request.getHeaders().get(VerifyingLedger.COPY_HEADER);
        Content.Source.consumeAll(request);
        Reply reply = rules.serve(id, request.getHttpURI().getPath());
        response.setStatus(200);
        response.getHeaders().put(VerifyingLedger.COPY_HEADER, String.valueOf(id));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body().length);
        if (reply.close()) {
          response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(reply.body()), callback);
        return true;
      }
    });
    server.start();
  }

  @Override
  public String address() {
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
