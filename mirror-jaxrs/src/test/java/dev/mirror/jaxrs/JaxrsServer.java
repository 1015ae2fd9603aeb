package dev.mirror.jaxrs;

import com.sun.net.httpserver.HttpServer;
import jakarta.ws.rs.core.Application;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.glassfish.jersey.jdkhttp.JdkHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.jboss.resteasy.plugins.server.undertow.UndertowJaxrsServer;

/** A JAX-RS implementation serving an application in-process on 127.0.0.1. */
interface JaxrsServer extends AutoCloseable {

  int port();

  default String url(String pathAndQuery) {
    return "http://127.0.0.1:" + port() + pathAndQuery;
  }

  @Override
  void close();

  /** Starts an application on one implementation. */
  interface Factory {
    JaxrsServer start(Application application);
  }

  /** An application of these resource classes, provider instances and properties. */
  static Application application(Set<Class<?>> classes, Set<Object> singletons,
      Map<String, Object> properties) {
    return new Application() {
      @Override
      public Set<Class<?>> getClasses() {
        return classes;
      }

      @Override
      public Set<Object> getSingletons() {
        return singletons;
      }

      @Override
      public Map<String, Object> getProperties() {
        return properties;
      }
    };
  }

  static JaxrsServer jersey(Application application) {
    HttpServer server = JdkHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"),
        ResourceConfig.forApplication(application));
    return new JaxrsServer() {
      @Override
      public int port() {
        return server.getAddress().getPort();
      }

      @Override
      public void close() {
        server.stop(0);
      }
    };
  }

  static JaxrsServer resteasy(Application application) {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = probe.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    UndertowJaxrsServer server = new UndertowJaxrsServer().setHostname("127.0.0.1").setPort(port);
    server.start();
    try {
      server.deploy(application);
    } catch (RuntimeException e) {
      server.stop();
      throw e;
    }
    return new JaxrsServer() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public void close() {
        server.stop();
      }
    };
  }
}
