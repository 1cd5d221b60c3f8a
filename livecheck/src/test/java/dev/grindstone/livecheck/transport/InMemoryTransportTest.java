package dev.grindstone.livecheck.transport;

class InMemoryTransportTest extends TransportContract {
  @Override
  Transport transport() {
    return new InMemoryTransport();
  }
}
