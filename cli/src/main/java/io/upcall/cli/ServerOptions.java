package io.upcall.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** How a command reaches a streams instance's operator endpoint ({@code --server}) and prints its answer ({@code --json}). */
final class ServerOptions {

  @Option(
      names = "--server",
      paramLabel = "URL",
      defaultValue = OpsEndpoint.DEFAULT_SERVER,
      converter = OpsEndpoint.UrlConverter.class,
      description =
          "Operator endpoint of any streams instance (upcall streams --http-port). "
              + "Default: ${DEFAULT-VALUE}.")
  URI server;

  @Option(names = "--json", description = "Print the server's JSON answer instead of a table.")
  boolean json;

  OpsEndpoint endpoint() {
    return new OpsEndpoint(server);
  }

  /**
   * Asks {@code pathAndQuery} and prints the answer: as JSON with --json, else through {@code table}. A server
   * that cannot be reached or answers an error is one line on stderr and exit code 1.
   */
  <T> int askAndPrint(CommandSpec spec, String pathAndQuery, Class<T> type, Consumer<T> table) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    OpsEndpoint.Answer answer;
    try {
      answer = endpoint().get(pathAndQuery);
    } catch (OpsEndpoint.Unreachable e) {
      err.println("upcall: " + e.getMessage());
      err.flush();
      return UpcallCli.EXIT_FAILURE;
    }
    if (!answer.ok()) {
      err.println("upcall: " + answer.reason());
      err.flush();
      return UpcallCli.EXIT_FAILURE;
    }
    if (json) {
      out.println(answer.prettyJson());
    } else {
      table.accept(answer.as(type));
    }
    out.flush();
    return 0;
  }
}
