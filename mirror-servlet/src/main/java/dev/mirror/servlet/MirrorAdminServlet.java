package dev.mirror.servlet;

import dev.mirror.admin.AdminCall;
import dev.mirror.admin.AdminReply;
import dev.mirror.admin.MirrorAdmin;
import dev.mirror.core.MirrorEngine;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The runtime control endpoint ({@link MirrorAdmin}) for the engine of a {@link MirrorFilter}
 * configured in the same application. Needs the module {@code mirror-admin}. In {@code web.xml}:
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>mirror-admin</servlet-name>
 *   <servlet-class>dev.mirror.servlet.MirrorAdminServlet</servlet-class>
 *   <init-param><param-name>mirror.admin.token-file</param-name><param-value>/run/secrets/mirror-admin</param-value></init-param>
 * </servlet>
 * <servlet-mapping><servlet-name>mirror-admin</servlet-name><url-pattern>/api/v1/gateway/*</url-pattern></servlet-mapping>
 * }</pre>
 *
 * <p>Init-params: {@code mirror.admin.filter}, the name of the filter whose engine it controls
 * (default {@code mirror}); {@code mirror.admin.token} or {@code mirror.admin.token-file}. Without
 * a token every call is refused.
 */
public final class MirrorAdminServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private transient MirrorAdmin admin;

  /**
   * Checks what the servlet needs (the module {@code mirror-admin}, a readable token) so that a
   * deployment fails at start-up, not at the first call.
   *
   * @throws ServletException naming the missing dependency or the key at fault
   */
  @Override
  public void init() throws ServletException {
    Map<String, String> keys = new LinkedHashMap<>();
    Enumeration<String> names = getInitParameterNames();
    while (names.hasMoreElements()) {
      String name = names.nextElement();
      keys.put(name, getInitParameter(name));
    }
    String token = token(getServletName(), keys);
    String attribute = MirrorFilter.ENGINE_ATTRIBUTE_PREFIX
        + keys.getOrDefault(MirrorAdmin.FILTER, "mirror");
    ServletContext context = getServletContext();
    // Looked up at each call: the filter may start after this servlet, and restart.
    admin = new MirrorAdmin(() -> context.getAttribute(attribute) instanceof MirrorEngine engine
        ? engine : null, token);
  }

  /**
   * The token the servlet's init-params give, after checking that {@code mirror-admin} is on the
   * class path. {@link MirrorFilter} calls it too at its own start-up, for the admin servlets
   * declared next to it, so a servlet without {@code <load-on-startup>} fails the deployment.
   */
  static String token(String servletName, Map<String, String> keys) throws ServletException {
    try {
      Class.forName("dev.mirror.admin.MirrorAdmin", false,
          MirrorAdminServlet.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new ServletException("MirrorAdminServlet " + servletName + " needs the module"
          + " dev.mirror:mirror-admin on the class path (add it next to mirror-servlet; it"
          + " brings Jackson)", e);
    }
    try {
      return MirrorAdmin.token(keys);
    } catch (IllegalArgumentException e) {
      throw new ServletException("Invalid mirror admin configuration for servlet "
          + servletName + ": " + e.getMessage(), e);
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes(MirrorAdmin.MAX_BODY_BYTES + 1);
    }
    AdminReply reply = admin.handle(new AdminCall(request.getMethod(), request.getPathInfo(),
        request.getHeader("Authorization"), request.getContentType(), body,
        request.getRemoteAddr(), request.getQueryString()));
    response.setStatus(reply.status());
    reply.headers().forEach(response::setHeader);
    response.setContentType(reply.contentType());
    response.setContentLength(reply.body().length);
    response.getOutputStream().write(reply.body());
  }
}
