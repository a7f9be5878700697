package cn.gov.gd.solr;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.common.cloud.DocCollection;
import org.apache.solr.common.cloud.Replica;
import org.apache.solr.common.cloud.Slice;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * A real Solr HTTP server for development and CI, started from Maven artifacts
 * (no Docker, no Solr distribution): Solr's own JettySolrRunner (solr-test-framework)
 * serving a solr home on 127.0.0.1. scripts/solr.sh runs it; docs/deployment.md
 * explains the layout.
 *
 * <pre>
 *   single SOLR_HOME PORT
 *       one node serving the cores found under SOLR_HOME (scripts/solr.sh lays out
 *       the core "ckan" with docker/solr/conf as its config set)
 *   cloud BASE_DIR PORT CONF_DIR COLLECTION SHARDS REPLICAS
 *       SolrCloud in this JVM (MiniSolrCloudCluster): an embedded ZooKeeper, node 1
 *       on PORT, node 2 on a free port, CONF_DIR uploaded to ZooKeeper as config set
 *       "ckan", the collection created with SHARDS x REPLICAS. BASE_DIR/state.json
 *       says where everything is; a file BASE_DIR/control/stop-node-N or
 *       start-node-N stops or restarts node N (a node that is stopped, not the JVM).
 * </pre>
 * Both run until the JVM gets SIGTERM/SIGINT, then stop Solr cleanly.
 */
public final class GuangdongSolr {
  private GuangdongSolr() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("single")) {
      single(Path.of(args[1]), Integer.parseInt(args[2]));
    } else if (args.length == 7 && args[0].equals("cloud")) {
      cloud(Path.of(args[1]), Integer.parseInt(args[2]), Path.of(args[3]), args[4],
          Integer.parseInt(args[5]), Integer.parseInt(args[6]));
    } else {
      System.err.println("usage: single SOLR_HOME PORT | cloud BASE_DIR PORT CONF_DIR COLLECTION SHARDS REPLICAS");
      System.exit(2);
    }
  }

  private static JettyConfig jetty(int port) {
    // stopAtShutdown(false): our shutdown hook stops Solr (cores closed, index committed)
    return JettyConfig.builder().setContext("/solr").setPort(port).stopAtShutdown(false).build();
  }

  private static void single(Path solrHome, int port) throws Exception {
    long started = System.nanoTime();
    JettySolrRunner solr = new JettySolrRunner(solrHome.toString(), jetty(port));
    solr.start();
    CountDownLatch stopped = onShutdown(() -> solr.stop());
    System.out.printf("GuangdongSolr: serving %s on %s (%d ms)%n", solrHome, solr.getBaseUrl(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    stopped.await();
  }

  private static void cloud(Path base, int port, Path conf, String collection, int shards,
      int replicas) throws Exception {
    long started = System.nanoTime();
    Files.createDirectories(base);
    // No nodes yet: node 1 gets the fixed port, node 2 a free one.
    MiniSolrCloudCluster cluster = new MiniSolrCloudCluster(0, base,
        MiniSolrCloudCluster.DEFAULT_CLOUD_SOLR_XML, jetty(0));
    List<JettySolrRunner> nodes = new ArrayList<>();
    nodes.add(cluster.startJettySolrRunner("node1", "/solr", jetty(port)));
    nodes.add(cluster.startJettySolrRunner("node2", "/solr", jetty(0)));
    cluster.waitForAllNodes(60);
    List<String> nodeNames = nodes.stream().map(JettySolrRunner::getNodeName).toList();
    cluster.uploadConfigSet(conf, "ckan");
    CollectionAdminRequest.createCollection(collection, "ckan", shards, replicas)
        .process(cluster.getSolrClient());
    cluster.waitForActiveCollection(collection, shards, shards * replicas);
    CountDownLatch stopped = onShutdown(() -> cluster.shutdown());
    Path control = base.resolve("control");
    Files.createDirectories(control);
    writeState(base, cluster, nodes, nodeNames, collection);
    System.out.printf("GuangdongSolr: SolrCloud with %d nodes, collection %s (%d x %d), ZooKeeper %s (%d ms)%n",
        nodes.size(), collection, shards, replicas, cluster.getZkServer().getZkAddress(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    while (!stopped.await(200, TimeUnit.MILLISECONDS)) {
      for (int i = 0; i < nodes.size(); i++) {
        try {
          if (control(cluster, nodes.get(i), i + 1, control, collection)) {
            writeState(base, cluster, nodes, nodeNames, collection);
          }
        } catch (Exception e) {  // report, keep serving: the state file says what is running
          System.out.printf("GuangdongSolr: node%d: %s%n", i + 1, e);
          writeState(base, cluster, nodes, nodeNames, collection);
        }
      }
    }
  }

  /** Acts on control/stop-node-N or control/start-node-N; true if it did something. */
  private static boolean control(MiniSolrCloudCluster cluster, JettySolrRunner node, int n,
      Path control, String collection) throws Exception {
    if (Files.deleteIfExists(control.resolve("stop-node-" + n)) && node.isRunning()) {
      long t0 = System.nanoTime();
      cluster.stopJettySolrRunner(node);
      cluster.waitForJettyToStop(node);
      // Every shard has a leader on a live node again (a replica of the other node took over).
      cluster.getZkStateReader().waitForState(collection, 60, TimeUnit.SECONDS,
          (live, coll) -> coll != null && coll.getSlices().stream().allMatch(
              s -> s.getLeader() != null && live.contains(s.getLeader().getNodeName())));
      System.out.printf("GuangdongSolr: node%d stopped, every shard led from a live node (%d ms)%n",
          n, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      return true;
    }
    if (Files.deleteIfExists(control.resolve("start-node-" + n)) && !node.isRunning()) {
      long t0 = System.nanoTime();
      cluster.startJettySolrRunner(node, true);  // same port as before
      cluster.waitForNode(node, 60);
      // its replicas recover from the leaders (this needs the update log, solrconfig.xml)
      cluster.waitForActiveCollection(collection, 60, TimeUnit.SECONDS);
      System.out.printf("GuangdongSolr: node%d started, every replica active (%d ms)%n",
          n, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      return true;
    }
    return false;
  }

  /** BASE_DIR/state.json: ZooKeeper's address, each node's URL and state, each shard's replicas. */
  private static void writeState(Path base, MiniSolrCloudCluster cluster,
      List<JettySolrRunner> nodes, List<String> nodeNames, String collection) throws Exception {
    StringBuilder json = new StringBuilder();
    json.append("{\"zkHost\": \"").append(cluster.getZkServer().getZkAddress())
        .append("\", \"collection\": \"").append(collection).append("\", \"nodes\": [");
    for (int i = 0; i < nodes.size(); i++) {
      JettySolrRunner node = nodes.get(i);
      json.append(i == 0 ? "" : ", ").append("{\"name\": \"node").append(i + 1)
          .append("\", \"nodeName\": \"").append(nodeNames.get(i))
          .append("\", \"url\": \"http://127.0.0.1:").append(node.getLocalPort(false))
          .append("/solr\", \"running\": ").append(node.isRunning()).append("}");
    }
    json.append("], \"shards\": {");
    DocCollection coll = cluster.getZkStateReader().getClusterState().getCollectionOrNull(collection);
    String sep = "";
    for (Slice slice : coll == null ? List.<Slice>of() : coll.getSlices()) {
      json.append(sep).append("\"").append(slice.getName()).append("\": [");
      sep = ", ";
      String rsep = "";
      for (Replica r : slice.getReplicas()) {
        json.append(rsep).append("{\"node\": \"").append(r.getNodeName())
            .append("\", \"core\": \"").append(r.getCoreName()).append("\", \"state\": \"")
            .append(r.getState().toString().toLowerCase()).append("\", \"leader\": ").append(r.isLeader()).append("}");
        rsep = ", ";
      }
      json.append("]");
    }
    json.append("}}\n");
    Path tmp = base.resolve("state.json.tmp");
    Files.writeString(tmp, json, StandardCharsets.UTF_8);
    Files.move(tmp, base.resolve("state.json"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  interface Stopper { void stop() throws Exception; }

  /** Stops Solr on SIGTERM/SIGINT; the latch opens once it has stopped. */
  private static CountDownLatch onShutdown(Stopper stopper) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopped.countDown();
      try {
        stopper.stop();
        System.out.println("GuangdongSolr: stopped");
      } catch (Exception e) {
        e.printStackTrace();
      }
    }));
    return stopped;
  }
}
