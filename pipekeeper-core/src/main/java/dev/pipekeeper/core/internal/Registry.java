package dev.pipekeeper.core.internal;

/** Where primitives register what must be closed with the connection. */
@FunctionalInterface
interface Registry {
  void add(AutoCloseable resource);
}
