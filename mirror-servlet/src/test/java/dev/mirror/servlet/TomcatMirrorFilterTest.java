package dev.mirror.servlet;

/** The filter suite on Tomcat 11. */
class TomcatMirrorFilterTest extends MirrorFilterContract {
  @Override
  Container.Factory containers() {
    return Container::tomcat;
  }
}
