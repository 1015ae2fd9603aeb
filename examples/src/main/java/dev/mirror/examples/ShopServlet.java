package dev.mirror.examples;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/** The demo's "primary" service: a tiny shop API. It knows nothing about mirroring. */
public class ShopServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getRequestURI();
    String method = req.getMethod();
    String type = req.getContentType();
    boolean form = type != null && type.startsWith("application/x-www-form-urlencoded");
    byte[] body = method.equals("POST") && !form ? req.getInputStream().readAllBytes() : null;
    String answer = answer(method, path, req::getParameter, body);
    if (answer == null) {
      resp.sendError(404);
      return;
    }
    resp.setContentType("application/json");
    resp.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The shop's answer (JSON), or null for none: shared with the demo's {@code v2} shadow, which
   * runs the next version of the same code.
   *
   * @param parameters the query and form parameters
   * @param body the raw body of a POST that is not a form, else null
   */
  static String answer(String method, String path, UnaryOperator<String> parameters,
      byte[] body) {
    if (path.equals("/api/orders") && method.equals("POST")) {
      return "{\"order\":\"o-" + Integer.toHexString(java.util.Arrays.hashCode(body))
          + "\",\"bytes\":" + body.length + "}";
    } else if (path.equals("/api/subscribe") && method.equals("POST")) {
      return "{\"subscribed\":\"" + parameters.apply("email") + "\"}";
    } else if (path.equals("/api/upload") && method.equals("POST")) {
      return "{\"stored\":" + body.length + "}";
    } else if (path.equals("/login") && method.equals("POST")) {
      return "{\"welcome\":\"" + parameters.apply("user") + "\"}";
    } else if (path.startsWith("/api/products") && method.equals("GET")) {
      String q = parameters.apply("q");
      return "{\"path\":\"" + path + "\",\"q\":\"" + (q == null ? "" : q)
          + "\",\"results\":[1,2,3]}";
    }
    return null;
  }
}
