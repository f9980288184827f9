package io.upcall.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for brokers this JVM is about to start, chosen below the kernel's ephemeral range.
 *
 * <p>A port the OS picks ({@code bind(0)}) lies in the ephemeral range, and is free only until the probe closes
 * it: a client's {@code connect()} or another server's {@code bind(0)} in any process may take it before the
 * broker binds it, and the broker then exits with "Address already in use" (a CI run lost a three-node cluster
 * that way, its third node started last). Below that range only an explicit bind takes a port, so the probe's
 * answer stays true. Ports handed out are not handed out again by this JVM.
 */
final class FreePorts {

  /** Where Linux keeps the ephemeral range, e.g. {@code 32768 60999}. */
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  /** Clear of the well-known and most registered service ports. */
  static final int LOWEST = 10_000;

  private static final int MIN_CHOICE = 1_000;
  private static final int ATTEMPTS = 500;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /** A port on the loopback interface that nothing listens on now and that this JVM has not handed out. */
  static int next() throws IOException {
    int below = ephemeralLow();
    return below - LOWEST < MIN_CHOICE ? osChoice() : next(LOWEST, below);
  }

  /** A port in {@code [lowest, below)} as {@link #next()} chooses one; the OS's choice when none is found. */
  static int next(int lowest, int below) throws IOException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = random.nextInt(lowest, below);
      if (HANDED_OUT.add(port)) {
        if (bindable(port)) {
          return port;
        }
        HANDED_OUT.remove(port);
      }
    }
    return osChoice();
  }

  /** The first ephemeral port, or {@link #LOWEST} (meaning: do not choose) where the range cannot be read. */
  static int ephemeralLow() {
    try {
      // readString trusts the size /proc reports and returned "3" here; reading lines does not.
      String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException unreadable) {
      return LOWEST;
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static int osChoice() throws IOException {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        if (HANDED_OUT.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      }
    }
  }
}
