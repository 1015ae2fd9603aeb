package dev.mirror.jaxrs;

import dev.mirror.api.RequestView;
import jakarta.ws.rs.container.ContainerRequestContext;

/** What the engine may look at to decide, read from the JAX-RS request without copying. */
final class JaxrsRequestView implements RequestView {

  private final ContainerRequestContext request;

  JaxrsRequestView(ContainerRequestContext request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String rawPath() {
    return request.getUriInfo().getRequestUri().getRawPath();
  }

  @Override
  public String header(String name) {
    return request.getHeaders().getFirst(name);
  }

  @Override
  public String rawQuery() {
    return request.getUriInfo().getRequestUri().getRawQuery();
  }
}
