package dev.mirror.jaxrs;

import dev.mirror.api.MirrorDispatcher;
import dev.mirror.core.entry.EntryPoint;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;

/** The filters {@link MirrorFeature} registers; they adapt JAX-RS to the engine and hold no logic. */
final class MirrorFilters {

  private MirrorFilters() {}

  /** What the filters share: the dispatcher, and whether any resource opted in with @Mirrored. */
  static final class Shared {
    final EntryPoint entry;
    final AtomicBoolean optIn = new AtomicBoolean();

    Shared(MirrorDispatcher dispatcher) {
      this.entry = new EntryPoint(dispatcher, "JAX-RS feature");
    }
  }

  /** Mirrors every request, matched or not, while no resource carries @Mirrored. */
  @PreMatching
  static final class AllRequests implements ContainerRequestFilter {
    private final Shared shared;

    AllRequests(Shared shared) {
      this.shared = shared;
    }

    @Override
    public void filter(ContainerRequestContext request) {
      if (!shared.optIn.get()) {
        MirrorExchange.start(shared.entry, request, null);
      }
    }
  }

  /**
   * Mirrors the requests of one @Mirrored resource method. Post-matching, because @PreMatching
   * filters run before the method is known.
   */
  static final class AnnotatedRequests implements ContainerRequestFilter {
    private final Shared shared;
    private final String policy;

    AnnotatedRequests(Shared shared, String policy) {
      this.shared = shared;
      this.policy = policy;
    }

    @Override
    public void filter(ContainerRequestContext request) {
      MirrorExchange.start(shared.entry, request, policy);
    }
  }

  /**
   * Submits the copy once the resource is done with the request; for a request that is not
   * mirrored, one property lookup and nothing more. An answer that is compared is kept here too
   * (by teeing the entity stream), so no entity interceptor runs for any request.
   */
  static final class Completion implements ContainerResponseFilter {
    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
      if (request.getProperty(MirrorExchange.PROPERTY) instanceof MirrorExchange mirrored) {
        mirrored.finish(request, response);
      }
    }
  }

  /** Finds @Mirrored resources at start-up and binds a filter to each. */
  static final class Binding implements DynamicFeature {
    private final Shared shared;

    Binding(Shared shared) {
      this.shared = shared;
    }

    @Override
    public void configure(ResourceInfo resource, FeatureContext context) {
      Method method = resource.getResourceMethod();
      Mirrored mirrored = method == null ? null : method.getAnnotation(Mirrored.class);
      if (mirrored == null && resource.getResourceClass() != null) {
        mirrored = resource.getResourceClass().getAnnotation(Mirrored.class);
      }
      if (mirrored != null) {
        shared.optIn.set(true);
        context.register(new AnnotatedRequests(shared, mirrored.value()));
      }
    }
  }
}
