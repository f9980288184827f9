package io.upcall.cli;

import io.upcall.schemas.Gfids;
import io.upcall.streams.ops.ClientInodes;
import io.upcall.streams.ops.InodeState;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code upcall inspect inode|client}: what the streams app's stores know of one inode or one client. */
@Command(
    name = "inspect",
    description = {
      "Show what the streams app knows of one inode or of one client.",
      "Of an inode: its tracked clients, their last access, whether a change would notify them, its "
          + "latest change, and which instance and partition hold it; of a client: the inodes it is fresh on. "
          + "Asks any instance's operator endpoint; it routes to the one that holds the state."
    },
    subcommands = {InspectCommand.InodeCommand.class, InspectCommand.ClientCommand.class})
public final class InspectCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing subcommand: inode GFID or client UID");
  }

  /** {@code upcall inspect inode GFID}. */
  @Command(name = "inode", description = "The tracked clients and latest change of one inode.")
  static final class InodeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Parameters(
        index = "0",
        paramLabel = "GFID",
        description = "The inode's gfid, a canonical UUID.")
    String gfid;

    @Option(
        names = "--at",
        paramLabel = "EPOCH_MS",
        description =
            "Judge freshness at this event time (epoch ms) instead of now, e.g. for a replayed trace.")
    Long atMs;

    @Override
    public Integer call() {
      String canonical;
      try {
        canonical = Gfids.format(Gfids.parse(gfid));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "GFID: " + e.getMessage());
      }
      String query = atMs == null ? "" : "?at=" + atMs;
      return server.askAndPrint(
          spec, "/inodes/" + canonical + query, InodeState.class, this::print);
    }

    private void print(InodeState inode) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "inode "
              + inode.gfid()
              + "  partition "
              + inode.partition()
              + " on "
              + inode.instance()
              + " ("
              + inode.servedBy()
              + (inode.rebalancing() ? ", rebalancing: ownership may be moving" : "")
              + ")");
      out.println(
          "T = "
              + inode.timeoutSeconds()
              + " s; fresh means a change at "
              + inode.freshAt().time()
              + " ("
              + inode.freshAt().basis()
              + ") would notify the client");
      out.println();
      TextTable clients = new TextTable("CLIENT", "LAST ACCESS", "SECOND", "FRESH");
      inode
          .clients()
          .forEach(
              client ->
                  clients.row(
                      client.client(),
                      client.lastAccess(),
                      client.lastAccessSecond(),
                      client.fresh() ? "yes" : "no"));
      if (inode.clients().isEmpty()) {
        out.println("no tracked clients");
      } else {
        clients.print(out);
      }
      InodeState.Change change = inode.latestChange();
      out.println();
      if (change == null) {
        out.println("latest change: none within T");
      } else {
        out.println(
            "latest change: "
                + String.join("|", change.flags())
                + " at "
                + change.eventTime()
                + (change.originator() == null ? "" : " by " + change.originator())
                + (change.brick() == null || change.brick().isEmpty()
                    ? ""
                    : " on " + change.brick())
                + (change.xattrs().isEmpty()
                    ? ""
                    : ", xattrs " + String.join(",", change.xattrs())));
      }
    }
  }

  /** {@code upcall inspect client UID}. */
  @Command(
      name = "client",
      description = "The inodes one client is fresh on (a scan of every instance's state).")
  static final class ClientCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Parameters(index = "0", paramLabel = "UID", description = "The client uid.")
    String uid;

    @Option(
        names = "--at",
        paramLabel = "EPOCH_MS",
        description = "Judge freshness at this event time (epoch ms) instead of now.")
    Long atMs;

    @Override
    public Integer call() {
      if (uid.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "UID must not be empty");
      }
      String path =
          "/clients/"
              + URLEncoder.encode(uid, StandardCharsets.UTF_8).replace("+", "%20")
              + (atMs == null ? "" : "?at=" + atMs);
      int[] exit = {0};
      int asked =
          server.askAndPrint(spec, path, ClientInodes.class, answer -> exit[0] = print(answer));
      return asked != 0 ? asked : exit[0];
    }

    private int print(ClientInodes answer) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "client "
              + answer.client()
              + ": fresh on "
              + answer.inodes().size()
              + " inode"
              + (answer.inodes().size() == 1 ? "" : "s")
              + " (T = "
              + answer.timeoutSeconds()
              + " s, at "
              + answer.freshAt().time()
              + ", "
              + answer.freshAt().basis()
              + ")"
              + (answer.trackedNotFresh() == 0
                  ? ""
                  : "; tracked but not fresh on " + answer.trackedNotFresh() + " more"));
      if (!answer.inodes().isEmpty()) {
        out.println();
        TextTable inodes = new TextTable("GFID", "LAST ACCESS", "PARTITION", "INSTANCE");
        answer
            .inodes()
            .forEach(
                inode ->
                    inodes.row(
                        inode.gfid(), inode.lastAccess(), inode.partition(), inode.instance()));
        inodes.print(out);
      }
      out.println();
      long scanned = answer.scans().stream().mapToLong(ClientInodes.Scan::entriesScanned).sum();
      out.println(
          "scanned "
              + scanned
              + " tracked pairs on "
              + answer.scans().size()
              + " instance"
              + (answer.scans().size() == 1 ? "" : "s")
              + ": "
              + answer.scans().stream()
                  .map(
                      scan ->
                          scan.instance()
                              + " partitions "
                              + partitions(scan)
                              + " in "
                              + scan.scanMs()
                              + " ms"
                              + (scan.error() == null ? "" : " FAILED: " + scan.error()))
                  .collect(Collectors.joining("; ")));
      out.flush();
      if (!answer.complete()) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(
            "upcall: incomplete: an instance could not be scanned, so inodes may be missing");
        err.flush();
        return UpcallCli.EXIT_FAILURE;
      }
      return 0;
    }

    private static String partitions(ClientInodes.Scan scan) {
      return scan.partitions().isEmpty()
          ? "none"
          : scan.partitions().stream().map(String::valueOf).collect(Collectors.joining(","));
    }
  }
}
