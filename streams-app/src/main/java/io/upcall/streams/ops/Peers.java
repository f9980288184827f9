package io.upcall.streams.ops;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.streams.state.HostInfo;

/** The other instances' operator endpoints, asked over HTTP when the answer lives in their stores. */
final class Peers {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** A full scan of a large store takes seconds (~0.5 µs per entry). */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  /** An instance's answer. */
  record Answer(int status, String body) {}

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(CONNECT_TIMEOUT)
          .build();

  Answer get(HostInfo host, String pathAndQuery) throws IOException {
    try {
      HttpResponse<String> response =
          client.send(
              request(host, pathAndQuery),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Answer(response.statusCode(), response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking " + name(host), e);
    }
  }

  CompletableFuture<Answer> getAsync(HostInfo host, String pathAndQuery) {
    return client
        .sendAsync(
            request(host, pathAndQuery), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .thenApply(response -> new Answer(response.statusCode(), response.body()));
  }

  private static HttpRequest request(HostInfo host, String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create("http://" + name(host) + pathAndQuery))
        .timeout(REQUEST_TIMEOUT)
        .header("Accept", Reply.JSON)
        .GET()
        .build();
  }

  /** host:port, as instances are named in answers. */
  static String name(HostInfo host) {
    return host.host() + ":" + host.port();
  }

  /** The reason in an error answer's body, else the body itself. */
  static String reason(Answer answer) {
    try {
      Problem problem = Reply.MAPPER.readValue(answer.body(), Problem.class);
      if (problem.error() != null) {
        return problem.error();
      }
    } catch (IOException notAProblem) {
      // fall through
    }
    return "HTTP " + answer.status() + " " + answer.body();
  }

  /** An exception's own words, unwrapping the CompletionException of the async calls. */
  static String describe(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
