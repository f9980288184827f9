package io.upcall.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.upcall.streams.ops.Problem;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The operator HTTP endpoint of one streams instance ({@code upcall streams --http-port}), as the commands ask it. */
final class OpsEndpoint {
  /** Where {@code upcall streams} serves by default. */
  static final String DEFAULT_SERVER = "http://127.0.0.1:8080";

  static final ObjectMapper JSON =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

  /** A /clients or /stats answer scans whole stores on every instance. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(90);

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(CONNECT_TIMEOUT)
          .build();

  /** The endpoint could not be reached at all: nothing listens, or the host is unknown or silent. */
  static final class Unreachable extends Exception {
    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** An answer: its status and JSON (or Prometheus text) body. */
  record Answer(int status, String body) {
    boolean ok() {
      return status == 200;
    }

    /** What an error answer says was wrong. */
    String reason() {
      try {
        Problem problem = JSON.readValue(body, Problem.class);
        if (problem.error() != null) {
          return problem.error();
        }
      } catch (IOException notAProblem) {
        // fall through
      }
      return "HTTP " + status + ": " + body;
    }

    <T> T as(Class<T> type) {
      try {
        return JSON.readValue(body, type);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(
            "the server answered something that is not a "
                + type.getSimpleName()
                + ": "
                + e.getOriginalMessage());
      }
    }

    /** The body re-indented for people. */
    String prettyJson() {
      try {
        return JSON.writeValueAsString(JSON.readTree(body));
      } catch (JsonProcessingException e) {
        return body;
      }
    }
  }

  private final URI base;

  OpsEndpoint(URI base) {
    this.base = base;
  }

  URI base() {
    return base;
  }

  /** GET {@code pathAndQuery} (starting with '/'). */
  Answer get(String pathAndQuery) throws Unreachable {
    URI uri = URI.create(base.toString().replaceAll("/+$", "") + pathAndQuery);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build();
    try {
      HttpResponse<String> response =
          HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Answer(response.statusCode(), response.body());
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw new Unreachable(
          "cannot reach the streams app at "
              + base
              + " ("
              + describe(e)
              + "); is `upcall "
              + "streams --http-port "
              + portOf(base)
              + "` running there? Pass --server URL otherwise",
          e);
    } catch (IOException e) {
      throw new Unreachable("no answer from the streams app at " + base + ": " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted while asking " + base, e);
    }
  }

  private static int portOf(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : 80;
  }

  private static String describe(Throwable e) {
    if (e instanceof HttpConnectTimeoutException) {
      return "connect timed out after " + CONNECT_TIMEOUT.toSeconds() + " s";
    }
    if (e instanceof ConnectException) {
      return "connection refused"; // the JDK client's message is empty, its cause a
      // ClosedChannelException
    }
    Throwable cause = e;
    while (cause.getMessage() == null && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  /** Reads {@code --server}: an http(s) URL with a host, e.g. http://streams-1:8080. */
  static final class UrlConverter implements ITypeConverter<URI> {
    @Override
    public URI convert(String value) {
      try {
        URI uri = new URI(value.trim());
        if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
            || uri.getHost() == null) {
          throw new TypeConversionException(
              "'" + value + "' is not an http URL such as " + DEFAULT_SERVER);
        }
        return uri;
      } catch (URISyntaxException e) {
        throw new TypeConversionException(
            "'" + value + "' is not an http URL such as " + DEFAULT_SERVER);
      }
    }
  }
}
