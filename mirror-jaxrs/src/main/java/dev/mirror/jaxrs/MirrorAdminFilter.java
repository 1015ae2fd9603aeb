package dev.mirror.jaxrs;

import dev.mirror.admin.AdminCall;
import dev.mirror.admin.AdminReply;
import dev.mirror.admin.MirrorAdmin;
import dev.mirror.core.MirrorEngine;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Serves the admin endpoint ({@link MirrorAdmin}) at {@code mirror.admin.path}: a pre-matching
 * filter that answers calls under that path before any resource (or the mirroring filter) sees
 * them. A filter rather than a resource, because every JAX-RS implementation takes filters from a
 * feature. Loaded only when the key is set, so Jackson is needed only then.
 */
@PreMatching
final class MirrorAdminFilter implements ContainerRequestFilter {

  private final String mount;
  private final MirrorAdmin admin;

  private MirrorAdminFilter(String mount, MirrorAdmin admin) {
    this.mount = mount;
    this.admin = admin;
  }

  /** Registers the endpoint for this engine, as the {@code mirror.admin.*} keys say. */
  static void register(FeatureContext context, MirrorEngine engine, Map<String, String> keys) {
    String path = keys.get(MirrorAdmin.PATH).trim();
    String mount = path.replaceAll("^/+|/+$", "");
    if (mount.isEmpty() || !mount.matches("[A-Za-z0-9._~!$&'()*+,;=:@%/-]+")) {
      throw new IllegalArgumentException(MirrorAdmin.PATH + ": was '" + path
          + "', must be a path below the application such as /api/v1/gateway");
    }
    // Before the mirroring filter (priority USER), so admin calls are never mirrored.
    context.register(new MirrorAdminFilter(mount, new MirrorAdmin(() -> engine,
        MirrorAdmin.token(keys))), Priorities.AUTHENTICATION - 100);
  }

  @Override
  public void filter(ContainerRequestContext request) throws IOException {
    String path = request.getUriInfo().getPath().replaceAll("^/+", "");
    if (!path.equals(mount) && !path.startsWith(mount + "/")) {
      return;
    }
    byte[] body;
    try (InputStream in = request.getEntityStream()) {
      body = in == null ? new byte[0] : in.readNBytes(MirrorAdmin.MAX_BODY_BYTES + 1);
    }
    Object caller = request.getProperty("org.jboss.resteasy.request.remote-address");
    AdminReply reply = admin.handle(new AdminCall(request.getMethod(),
        path.substring(mount.length()), request.getHeaderString(HttpHeaders.AUTHORIZATION),
        request.getHeaderString(HttpHeaders.CONTENT_TYPE), body,
        caller == null ? "unknown (JAX-RS does not tell)" : caller.toString(),
        request.getUriInfo().getRequestUri().getRawQuery()));
    Response.ResponseBuilder answer = Response.status(reply.status())
        .entity(reply.body()).type(reply.contentType());
    reply.headers().forEach(answer::header);
    request.abortWith(answer.build());
  }
}
