package dev.mirror.jaxrs;

import dev.mirror.api.MirrorDispatcher;
import dev.mirror.core.AnswerCapture;
import dev.mirror.core.EntryPoint;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;
import java.io.IOException;
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

  /** Submits the copy once the resource is done with the request. */
  static final class Completion implements ContainerResponseFilter {
    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
      Object exchange = request.getProperty(MirrorExchange.PROPERTY);
      if (exchange instanceof MirrorExchange mirrored) {
        mirrored.finish(request);
        if (mirrored.answerCapture() != null) {
          mirrored.status = response.getStatus();
          if (!response.hasEntity()) {
            mirrored.answered(response.getStatus(), response.getHeaders());
          }
        }
      }
    }
  }

  /**
   * For an answer that is compared: tees the entity as it is written, then hands the answer
   * over. Request properties are visible here (the exchange's context), so nothing is injected.
   */
  static final class AnswerTee implements WriterInterceptor {
    @Override
    public void aroundWriteTo(WriterInterceptorContext context) throws IOException {
      Object exchange = context.getProperty(MirrorExchange.PROPERTY);
      AnswerCapture capture = exchange instanceof MirrorExchange mirrored
          ? mirrored.answerCapture() : null;
      if (capture == null) {
        context.proceed();
        return;
      }
      context.setOutputStream(capture.tee(context.getOutputStream()));
      try {
        context.proceed();
      } finally {
        MirrorExchange mirrored = (MirrorExchange) exchange;
        MultivaluedMap<String, Object> headers = new MultivaluedHashMap<>(context.getHeaders());
        if (!headers.containsKey("Content-Type") && context.getMediaType() != null) {
          headers.putSingle("Content-Type", context.getMediaType().toString());
        }
        mirrored.answered(mirrored.status, headers);
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
