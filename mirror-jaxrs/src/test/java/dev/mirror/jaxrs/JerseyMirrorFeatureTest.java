package dev.mirror.jaxrs;

/** The feature suite on Jersey 3.1 (JDK HTTP server container). */
class JerseyMirrorFeatureTest extends MirrorFeatureContract {
  @Override
  JaxrsServer.Factory servers() {
    return JaxrsServer::jersey;
  }
}
