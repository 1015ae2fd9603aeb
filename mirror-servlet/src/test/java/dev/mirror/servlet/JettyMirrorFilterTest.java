package dev.mirror.servlet;

/** The filter suite on Jetty 12 (ee10). */
class JettyMirrorFilterTest extends MirrorFilterContract {
  @Override
  Container.Factory containers() {
    return Container::jetty;
  }
}
