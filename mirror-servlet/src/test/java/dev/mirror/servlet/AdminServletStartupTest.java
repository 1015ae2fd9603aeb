package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.admin.MirrorAdmin;
import dev.mirror.core.MirrorEngine;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 34, item 5: what MirrorAdminServlet needs is checked when the application starts, not at
 * the first admin call: the deployment fails naming the missing module or the key at fault.
 */
class AdminServletStartupTest {

  private static Path webapp(Path dir, String tokenFile) throws Exception {
    Path webapp = dir.resolve("webapp");
    Files.createDirectories(webapp.resolve("WEB-INF"));
    // README's snippet as it was, without <load-on-startup>: the filter checks the servlet.
    Files.writeString(webapp.resolve("WEB-INF/web.xml"),
        Files.readString(Path.of("src/test/resources/webapp-admin/WEB-INF/web.xml"))
            .replace("@SHADOW@", "http://127.0.0.1:9")
            .replace("@ALLOWED@", "http://127.0.0.1:10")
            .replace("@TOKEN_FILE@", tokenFile));
    return webapp;
  }

  @Test
  void aMissingTokenFile_failsTheDeployment_namingTheKey(@TempDir Path dir) {
    String missing = dir.resolve("no-such-token").toString();
    assertThatThrownBy(() -> Container.jettyWebapp(webapp(dir, missing)).close())
        .hasStackTraceContaining("mirror.admin.token-file: was " + missing
            + ", must be a readable file");
  }

  @Test
  void withoutMirrorAdmin_initFails_namingTheModule() throws Exception {
    // The servlet loaded as an application without mirror-admin would load it.
    URL[] without = {location(MirrorAdminServlet.class), location(Servlet.class),
        location(MirrorEngine.class), location(dev.mirror.api.MirroredRequest.class),
        location(LoggerFactory.class)};
    assertThat(location(MirrorAdmin.class)).isNotIn((Object[]) without);
    try (URLClassLoader app = new URLClassLoader(without,
        ClassLoader.getPlatformClassLoader())) {
      Class<?> servletType = app.loadClass(MirrorAdminServlet.class.getName());
      Object servlet = servletType.getConstructor().newInstance();
      Class<?> configType = app.loadClass(ServletConfig.class.getName());
      Class<?> contextType = app.loadClass(ServletContext.class.getName());
      Object context = Proxy.newProxyInstance(app, new Class<?>[] {contextType},
          (proxy, method, args) -> null);
      Map<String, String> params = Map.of("mirror.admin.token", "t");
      Object config = Proxy.newProxyInstance(app, new Class<?>[] {configType},
          (proxy, method, args) -> switch (method.getName()) {
            case "getServletName" -> "mirror-admin";
            case "getServletContext" -> context;
            case "getInitParameterNames" -> Collections.enumeration(params.keySet());
            case "getInitParameter" -> params.get((String) args[0]);
            default -> null;
          });
      Throwable failed = null;
      try {
        servletType.getMethod("init", configType).invoke(servlet, config);
      } catch (InvocationTargetException e) {
        failed = e.getCause();
      }
      assertThat(failed).as("init() fails, before any call").isNotNull();
      assertThat(failed.getClass().getName()).isEqualTo("jakarta.servlet.ServletException");
      assertThat(failed).hasMessage("MirrorAdminServlet mirror-admin needs the module"
          + " dev.mirror:mirror-admin on the class path (add it next to mirror-servlet; it"
          + " brings Jackson)");
    }
  }

  private static URL location(Class<?> type) throws Exception {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }
}
