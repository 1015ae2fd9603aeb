package dev.mirror.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A real servlet container started in-process on 127.0.0.1 with an ephemeral port. */
interface Container extends AutoCloseable {

  int port();

  default String url(String pathAndQuery) {
    return "http://127.0.0.1:" + port() + pathAndQuery;
  }

  @Override
  void close() throws Exception;

  /** Makes a container around an application, with the filter in front, or none. */
  interface Factory {
    Container start(Filter filterOrNull, HttpServlet app) throws Exception;
  }

  /**
   * Jetty with its header cache made case-sensitive: by default Jetty hands out a cached field
   * ({@code charset=utf-8}) for a header that differs only in case, so neither the application
   * nor a copy would see the client's exact spelling.
   */
  private static ServerConnector jettyConnector(Server server) {
    HttpConfiguration http = new HttpConfiguration();
    http.setHeaderCacheCaseSensitive(true);
    // HTTP/1.1, and cleartext HTTP/2 (prior knowledge or upgrade) on the same port.
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http),
        new org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    return connector;
  }

  static Container jetty(Filter filter, HttpServlet app) throws Exception {
    return jetty(filter, app, Map.of());
  }

  /** As {@link #jetty(Filter, HttpServlet)}, the filter given these init-params (as web.xml). */
  static Container jetty(Filter filter, HttpServlet app, Map<String, String> initParams)
      throws Exception {
    Server server = new Server();
    ServerConnector connector = jettyConnector(server);
    ServletContextHandler context = new ServletContextHandler("/");
    ServletHolder servlet = new ServletHolder(app);
    servlet.setAsyncSupported(true);
    context.addServlet(servlet, "/*");
    if (filter != null) {
      FilterHolder holder = new FilterHolder(filter);
      holder.setAsyncSupported(true);
      initParams.forEach(holder::setInitParameter);
      context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    server.setHandler(context);
    server.start();
    return jettyContainer(server, connector);
  }

  /** Deploys a webapp directory whose WEB-INF/web.xml configures everything. */
  static Container jettyWebapp(Path webappDir) throws Exception {
    Server server = new Server();
    ServerConnector connector = jettyConnector(server);
    WebAppContext webapp = new WebAppContext(webappDir.toString(), "/");
    webapp.setParentLoaderPriority(true);
    webapp.setThrowUnavailableOnStartupException(true);
    server.setHandler(webapp);
    server.start();
    return jettyContainer(server, connector);
  }

  private static Container jettyContainer(Server server, ServerConnector connector) {
    return new Container() {
      @Override
      public int port() {
        return connector.getLocalPort();
      }

      @Override
      public void close() throws Exception {
        server.stop();
      }
    };
  }

  static Container tomcat(Filter filter, HttpServlet app) throws Exception {
    return tomcat(filter, app, Map.of());
  }

  /** As {@link #tomcat(Filter, HttpServlet)}, the filter given these init-params (as web.xml). */
  static Container tomcat(Filter filter, HttpServlet app, Map<String, String> initParams)
      throws Exception {
    Path base = Files.createTempDirectory("tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    // Cleartext HTTP/2 too (prior knowledge or upgrade), next to HTTP/1.1.
    connector.addUpgradeProtocol(new org.apache.coyote.http2.Http2Protocol());
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());
    Tomcat.addServlet(context, "app", app).setAsyncSupported(true);
    context.addServletMappingDecoded("/*", "app");
    if (filter != null) {
      FilterDef def = new FilterDef();
      def.setFilterName("mirror");
      def.setFilter(filter);
      def.setAsyncSupported("true");
      initParams.forEach(def::addInitParameter);
      context.addFilterDef(def);
      FilterMap map = new FilterMap();
      map.setFilterName("mirror");
      map.addURLPattern("/*");
      context.addFilterMap(map);
    }
    tomcat.start();
    return new Container() {
      @Override
      public int port() {
        return connector.getLocalPort();
      }

      @Override
      public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
      }
    };
  }
}
