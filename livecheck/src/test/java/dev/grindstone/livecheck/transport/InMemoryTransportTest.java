package dev.grindstone.livecheck.transport;

class InMemoryTransportTest extends TransportContract {
  @Override
  protected Transport transport() {
    return new InMemoryTransport();
  }
}
