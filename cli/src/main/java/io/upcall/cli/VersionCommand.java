package io.upcall.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code upcall version}: the project version and the Kafka, Avro and Java versions it runs with. */
@Command(name = "version", description = "Print the Upcall, Kafka, Avro and Java versions.")
final class VersionCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    for (String line : new UpcallVersion().getVersion()) {
      out.println(line);
    }
    out.flush();
  }
}
