package io.upcall.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void portsLieBelowTheEphemeralRangeSoNoConnectOrBindToZeroCanTakeThem() throws IOException {
    int ephemeralLow = FreePorts.ephemeralLow();
    assumeTrue(ephemeralLow - FreePorts.LOWEST >= 1_000, "no readable ephemeral range here");

    for (int i = 0; i < 50; i++) {
      assertThat(FreePorts.next()).isBetween(FreePorts.LOWEST, ephemeralLow - 1);
    }
  }

  @Test
  void aPortIsHandedOutOnceAndIsBindable() throws IOException {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int port = FreePorts.next();
      assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      }
    }
  }

  @Test
  void aPortSomeoneListensOnIsSkipped() throws IOException {
    int lowest = FreePorts.next();
    int below = lowest + 20;
    Set<Integer> taken = new HashSet<>();
    try (ServerSockets sockets = new ServerSockets()) {
      for (int port = lowest; port < below - 1; port++) {
        if (sockets.tryListen(port)) {
          taken.add(port);
        }
      }
      assumeTrue(taken.size() >= 15, "the stretch of ports is busy elsewhere");

      int chosen = FreePorts.next(lowest, below);

      assertThat(taken).doesNotContain(chosen);
    }
  }

  /** Listening sockets held for the length of a test. */
  private static final class ServerSockets implements AutoCloseable {
    private final Set<ServerSocket> open = new HashSet<>();

    boolean tryListen(int port) {
      try {
        ServerSocket socket = new ServerSocket();
        try {
          socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        } catch (IOException busy) {
          socket.close();
          return false;
        }
        open.add(socket);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void close() throws IOException {
      for (ServerSocket socket : open) {
        socket.close();
      }
    }
  }
}
