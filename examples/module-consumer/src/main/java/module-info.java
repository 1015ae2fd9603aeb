/** A user's application that is a named module, reading mirror through its descriptors. */
module com.example.modular {
  requires dev.mirror.core;
}
