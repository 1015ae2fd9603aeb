/** A transport on Jetty's {@code HttpClient}, found as {@code mirror.transport=jetty}. */
module dev.mirror.transport.jetty {
  requires dev.mirror.api;
  requires org.eclipse.jetty.client;
  requires org.eclipse.jetty.http;
  requires org.eclipse.jetty.http2.client;
  requires org.eclipse.jetty.http2.client.transport;
  requires org.eclipse.jetty.util;
  requires org.slf4j;

  exports dev.mirror.transport.jetty;

  provides dev.mirror.api.MirrorTransportProvider
      with dev.mirror.transport.jetty.JettyTransport.Provider;
}
