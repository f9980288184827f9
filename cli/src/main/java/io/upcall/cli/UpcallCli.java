package io.upcall.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/** The {@code upcall} launcher: one picocli subcommand per job, wired to the modules that do the work. */
@Command(
    name = "upcall",
    mixinStandardHelpOptions = true,
    // Every subcommand inherits --help and --version.
    scope = ScopeType.INHERIT,
    versionProvider = UpcallVersion.class,
    description = "Kafka-native cache invalidation for distributed file systems.",
    subcommands = {
      // One line per subcommand; keep CommandLine.HelpCommand last.
      VersionCommand.class,
      BrokerCommand.class,
      StreamsCommand.class,
      SimulateCommand.class,
      DemoCommand.class,
      PublishCommand.class,
      LoadCommand.class,
      BenchCommand.class,
      InspectCommand.class,
      StatsCommand.class,
      TailCommand.class,
      TopicsCommand.class,
      ConfigCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class UpcallCli implements Runnable {

  /** Exit code for a command that failed while running. */
  public static final int EXIT_FAILURE = 1;

  /** Exit code for a bad command line (unknown option, bad value, missing parameter). */
  public static final int EXIT_USAGE = 2;

  static final String DEBUG_ENV = "UPCALL_DEBUG";

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print stack traces of failures (or set UPCALL_DEBUG=1).")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the launcher and exits the JVM with the command's exit code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line with Upcall's exit codes and error handling; tests call {@code execute} on it. */
  public static CommandLine commandLine() {
    return HelpLayout.install(new CommandLine(new UpcallCli()))
        .setParameterExceptionHandler(new UsageErrors())
        .setExecutionExceptionHandler(new OneLineFailures())
        .setExecutionStrategy(
            parseResult -> {
              // Before any command creates a Kafka client, whose loggers read their level once.
              KafkaLogs.quietUnless(verbose(parseResult));
              return new CommandLine.RunLast().execute(parseResult);
            });
  }

  /** Whether --verbose was given to any command on the line, or UPCALL_DEBUG=1 is set. */
  static boolean verbose(ParseResult parseResult) {
    if ("1".equals(System.getenv(DEBUG_ENV))) {
      return true;
    }
    for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
      if (pr.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void run() {
    // No subcommand given: show what there is to run.
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Bad input: the one line saying what was wrong, and where the help is; exit 2. The whole usage would scroll the
   * line that matters away.
   */
  private static final class UsageErrors implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException e, String[] args) {
      CommandLine cmd = e.getCommandLine();
      PrintWriter err = cmd.getErr();
      err.println(cmd.getColorScheme().errorText("upcall: " + e.getMessage()));
      CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
      err.println(
          "Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
      err.flush();
      return EXIT_USAGE;
    }
  }

  /**
   * A failure inside a command: one line naming the problem (plus a pointer to --verbose, unless the command
   * explained it completely: {@link CommandFailure}); the stack trace only when asked for.
   */
  private static final class OneLineFailures implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parseResult) {
      PrintWriter err = cmd.getErr();
      err.println(cmd.getColorScheme().errorText("upcall: " + describe(e)));
      if (verbose(parseResult)) {
        err.println(cmd.getColorScheme().stackTraceText(e));
      } else if (!(e instanceof CommandFailure)) {
        err.println("(run with --verbose or " + DEBUG_ENV + "=1 for the stack trace)");
      }
      err.flush();
      return EXIT_FAILURE;
    }

    private static String describe(Throwable e) {
      String message = e.getMessage();
      return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
  }
}
