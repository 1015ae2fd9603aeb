package dev.mirror.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.async.MinimalHttpAsyncClient;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.nio.AsyncClientEndpoint;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;

/**
 * Apache HttpClient 5's minimal async client ({@link MinimalHttpAsyncClient}: no redirects,
 * authentication, cookies or retries, as a copy needs none), HTTP/1.1 only, one I/O thread (as
 * mirror's sender has one loop). Its connections are leased once, before the first request, as
 * {@link AsyncClientEndpoint}s, and kept for the whole run.
 *
 * <p>Pipelining on: a request goes on each endpoint in turn ({@link ConnectionChoice}) with {@link
 * AsyncClientEndpoint#execute}, whatever is outstanding there; HttpCore's HTTP/1.1 connection
 * writes it as soon as the request before it is written, without waiting for that one's answer
 * (the pattern of HttpClient's own {@code AsyncClientHttp1Pipelining} example). When it writes is
 * its own: it has no knob for batching writes. Off: a request goes only on an endpoint with nothing
 * outstanding. https: its TLS strategy on the same JDK {@code SSLContext} the other candidates use,
 * host name verified (its default). Its requests carry two fields the others' do not ({@code
 * Connection: keep-alive} and its {@code User-Agent}, about 70 bytes): its protocol interceptors
 * add them.
 */
final class ApacheMinimalCandidate implements Candidate {

  private final MinimalHttpAsyncClient client;
  private final RequestShape shape;
  private final HttpHost target;
  private final ContentType contentType = ContentType.create(RequestShape.CONTENT_TYPE);
  private final ConnectionChoice<AsyncClientEndpoint> choice;

  ApacheMinimalCandidate(RequestShape shape, int connections, boolean pipelining)
      throws Exception {
    this.shape = shape;
    this.target = HttpHost.create(shape.base());
    PoolingAsyncClientConnectionManagerBuilder manager =
        PoolingAsyncClientConnectionManagerBuilder.create()
            .setMaxConnTotal(connections).setMaxConnPerRoute(connections)
            .setDefaultTlsConfig(TlsConfig.custom()
                .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1).build());
    if (shape.tls() != null) {
      manager.setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(shape.tls()).build());
    }
    this.client = HttpAsyncClients.createMinimal(HttpVersionPolicy.FORCE_HTTP_1, H2Config.DEFAULT,
        Http1Config.DEFAULT, IOReactorConfig.custom().setIoThreadCount(1).build(),
        manager.build());
    client.start();
    List<AsyncClientEndpoint> leased = new ArrayList<>();
    try {
      for (int k = 0; k < connections; k++) {
        leased.add(client.lease(target, null).get(10, TimeUnit.SECONDS));
      }
    } catch (Exception e) {
      close();
      throw e;
    }
    this.choice = new ConnectionChoice<>(leased, pipelining);
  }

  @Override
  public void send(long i, Completion completion) {
    AsyncClientEndpoint endpoint = choice.take();
    SimpleRequestBuilder builder = SimpleRequestBuilder.create(shape.method()).setUri(shape.uri(i));
    if (shape.hasBody()) {
      builder.setBody(shape.body(), contentType);
    }
    SimpleHttpRequest request = builder.build();
    endpoint.execute(SimpleRequestProducer.create(request), SimpleResponseConsumer.create(),
        new FutureCallback<SimpleHttpResponse>() {
          @Override
          public void completed(SimpleHttpResponse response) {
            choice.release(endpoint);
            completion.done(true);
          }

          @Override
          public void failed(Exception e) {
            choice.release(endpoint);
            completion.done(false);
          }

          @Override
          public void cancelled() {
            failed(null);
          }
        });
  }

  @Override
  public void close() {
    client.close(CloseMode.GRACEFUL);
  }
}
