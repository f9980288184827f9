package io.upcall.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/**
 * A client uid built the way GlusterFS's protocol/client builds the {@code process-uuid} it sends at SETVOLUME:
 * the process context id, graph id, pid, host, the client translator's name and a reconnect counter, so two
 * processes, hosts or connections never share one.
 */
record GlusterClientUid(
    String contextId, int graphId, long pid, String host, String clientName, long reconnects) {

  /** A fresh uid for this process, its first connection. */
  static GlusterClientUid forThisProcess(String clientName) {
    return new GlusterClientUid(
        UUID.randomUUID().toString(), 0, ProcessHandle.current().pid(), hostName(), clientName, 0);
  }

  /** GlusterFS's layout: {@code CTX_ID:<ctx>-GRAPH_ID:<g>-PID:<pid>-HOST:<host>-PC_NAME:<name>-RECON_NO:-<n>}. */
  String format() {
    return "CTX_ID:"
        + contextId
        + "-GRAPH_ID:"
        + graphId
        + "-PID:"
        + pid
        + "-HOST:"
        + host
        + "-PC_NAME:"
        + clientName
        + "-RECON_NO:-"
        + reconnects;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
