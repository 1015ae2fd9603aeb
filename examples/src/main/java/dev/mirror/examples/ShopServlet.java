package dev.mirror.examples;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The demo's "primary" service: a tiny shop API. It knows nothing about mirroring. */
public class ShopServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getRequestURI();
    String method = req.getMethod();
    String answer;
    if (path.equals("/api/orders") && method.equals("POST")) {
      byte[] body = req.getInputStream().readAllBytes();
      answer = "{\"order\":\"o-" + Integer.toHexString(java.util.Arrays.hashCode(body))
          + "\",\"bytes\":" + body.length + "}";
    } else if (path.equals("/api/subscribe") && method.equals("POST")) {
      answer = "{\"subscribed\":\"" + req.getParameter("email") + "\"}";
    } else if (path.equals("/api/upload") && method.equals("POST")) {
      answer = "{\"stored\":" + req.getInputStream().readAllBytes().length + "}";
    } else if (path.equals("/login") && method.equals("POST")) {
      answer = "{\"welcome\":\"" + req.getParameter("user") + "\"}";
    } else if (path.startsWith("/api/products") && method.equals("GET")) {
      String q = req.getParameter("q");
      answer = "{\"path\":\"" + path + "\",\"q\":\"" + (q == null ? "" : q) + "\",\"results\":[1,2,3]}";
    } else {
      resp.sendError(404);
      return;
    }
    resp.setContentType("application/json");
    resp.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
  }
}
