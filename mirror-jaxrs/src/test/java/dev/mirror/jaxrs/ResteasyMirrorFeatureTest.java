package dev.mirror.jaxrs;

/** The feature suite on RESTEasy 6.2 (Undertow). */
class ResteasyMirrorFeatureTest extends MirrorFeatureContract {
  @Override
  JaxrsServer.Factory servers() {
    return JaxrsServer::resteasy;
  }
}
