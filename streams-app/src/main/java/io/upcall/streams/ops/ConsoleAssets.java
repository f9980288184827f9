package io.upcall.streams.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web console's files, served from the classpath: the page at {@code /}, its script and style, and uPlot (copied
 * from its webjar into the jar at build time, so the console needs nothing from the network). Only the files named
 * here are served, so no path a client sends can reach another resource.
 */
final class ConsoleAssets {
  private static final String ROOT = "/io/upcall/streams/ops/console/";

  /** URL path below /console/ → its content type. */
  private static final Map<String, String> FILES =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "console.js", "text/javascript; charset=utf-8",
          "console.css", "text/css; charset=utf-8",
          "uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8",
          "uplot/uPlot.min.css", "text/css; charset=utf-8",
          "uplot/LICENSE", "text/plain; charset=utf-8");

  private final Map<String, byte[]> loaded = new ConcurrentHashMap<>();

  /** Whether {@code name} (a path below /console/) is a console file. */
  static boolean serves(String name) {
    return FILES.containsKey(name);
  }

  /** The file, e.g. {@code console.js}; 404 when it is not one. */
  Reply get(String name) {
    String type = FILES.get(name);
    if (type == null) {
      throw new HttpProblem(404, "no such console file: /console/" + name);
    }
    byte[] body = loaded.computeIfAbsent(name, ConsoleAssets::read);
    return new Reply(200, type, body);
  }

  private static byte[] read(String name) {
    try (InputStream in = ConsoleAssets.class.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new HttpProblem(
            500, "the console file " + name + " is missing from the jar (was it built with mvn?)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
