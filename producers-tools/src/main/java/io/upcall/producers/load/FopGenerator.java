package io.upcall.producers.load;

import io.upcall.avro.Fop;
import io.upcall.avro.FopRecord;
import io.upcall.avro.Gfid;
import io.upcall.avro.IaType;
import io.upcall.avro.Iatt;
import io.upcall.avro.Xattr;
import io.upcall.schemas.FopRecordCopies;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Generates the fop records of a simulated volume in use, deterministically: the same {@link LoadSpec} and the
 * same sequence of event times give the same records.
 *
 * <p>An in-memory model of the namespace makes every fop one a brick could have completed: entries that are
 * unlinked or renamed exist, link counts and post-op stats follow the changes, READDIRP lists real entries.
 * A modifying fop on a replicated volume yields one record per brick of its replica set, sharing a txId.
 * Not thread-safe: one generator per thread.
 */
public final class FopGenerator {
  /** At most this many entries per READDIRP reply, as a brick fills one reply buffer. */
  static final int READDIRP_BATCH = 256;

  private static final long MAX_FILE_SIZE = 1L << 30;
  private static final int[] FILE_MODES = {0644, 0600, 0664, 0640, 0444};
  private static final int[] DIRECTORY_MODES = {0755, 0750, 0775, 0700};
  private static final String[] XATTR_NAMES = {
    "user.tag",
    "user.comment",
    "user.checksum",
    "user.mime_type",
    "security.selinux",
    "system.posix_acl_access"
  };
  private static final Iatt NO_STAT = null;

  private enum Category {
    READ,
    WRITE,
    METADATA,
    ENTRY
  }

  private final LoadSpec spec;
  private final SplittableRandom random;
  private final ZipfSampler fileRanks;
  private final ZipfSampler directoryRanks;
  private final VolumeLayout layout;
  private final List<String> clients;
  private final Map<String, Integer> clientIndex = new HashMap<>();
  private final String fopIdPrefix;
  private final WeightedChoice<Category> categories = new WeightedChoice<>();
  private final WeightedChoice<Fop> reads =
      new WeightedChoice<Fop>()
          .add(Fop.LOOKUP, 34)
          .add(Fop.STAT, 14)
          .add(Fop.READ, 22)
          .add(Fop.OPEN, 10)
          .add(Fop.READDIRP, 6)
          .add(Fop.OPENDIR, 2)
          .add(Fop.ACCESS, 5)
          .add(Fop.GETXATTR, 7);
  private final WeightedChoice<Fop> writes =
      new WeightedChoice<Fop>()
          .add(Fop.WRITE, 88)
          .add(Fop.TRUNCATE, 3)
          .add(Fop.FTRUNCATE, 2)
          .add(Fop.FALLOCATE, 4)
          .add(Fop.ZEROFILL, 1)
          .add(Fop.DISCARD, 2);
  private final WeightedChoice<Fop> metadata =
      new WeightedChoice<Fop>()
          .add(Fop.SETATTR, 35)
          .add(Fop.FSETATTR, 10)
          .add(Fop.SETXATTR, 35)
          .add(Fop.FSETXATTR, 5)
          .add(Fop.REMOVEXATTR, 15);
  private final WeightedChoice<Fop> entries =
      new WeightedChoice<Fop>()
          .add(Fop.CREATE, 26)
          .add(Fop.UNLINK, 30)
          .add(Fop.RENAME, 18)
          .add(Fop.LINK, 8)
          .add(Fop.MKDIR, 8)
          .add(Fop.RMDIR, 6)
          .add(Fop.SYMLINK, 3)
          .add(Fop.MKNOD, 1);

  private Namespace namespace;

  /** The directory an {@code rm -rf} in progress is removing, or null. */
  private Inode removing;

  private int preludeDirectories;
  private int preludeFiles;
  private long records;
  private long calls;
  private long names;

  /** The latest event time seen: stats never go back in time even if a caller's clock does. */
  private long nowMs = Long.MIN_VALUE;

  public FopGenerator(LoadSpec spec) {
    this.spec = spec;
    this.random = new SplittableRandom(spec.seed());
    this.fileRanks = new ZipfSampler(spec.zipfExponent(), random);
    this.directoryRanks = new ZipfSampler(spec.zipfExponent(), random);
    this.layout = new VolumeLayout(spec.volume(), spec.bricks(), spec.replicas());
    this.fopIdPrefix = "load-" + Long.toHexString(spec.seed()) + "-";
    double[] shares = spec.categoryShares();
    categories
        .add(Category.READ, shares[0])
        .add(Category.WRITE, shares[1])
        .add(Category.METADATA, shares[2])
        .add(Category.ENTRY, shares[3]);
    List<String> uids = new ArrayList<>(spec.clients());
    for (int i = 0; i < spec.clients(); i++) {
      uids.add(clientUid(spec.volume(), i, randomUuid(), 1000 + random.nextInt(60_000)));
    }
    this.clients = List.copyOf(uids);
    for (int i = 0; i < clients.size(); i++) {
      clientIndex.put(clients.get(i), i);
    }
    this.preludeDirectories = spec.directories() - 1;
    this.preludeFiles = spec.files();
  }

  /**
   * A client uid in GlusterFS's format (protocol/client's process-uuid): process context id, graph id, pid,
   * host, protocol-client name and reconnect count. A simulated client keeps one uid for all bricks, so that
   * a replicated fop's txId and originator agree across replicas.
   */
  static String clientUid(String volume, int index, UUID context, int pid) {
    return "CTX_ID:"
        + context
        + "-GRAPH_ID:0-PID:"
        + pid
        + "-HOST:client"
        + (index + 1)
        + "-PC_NAME:"
        + volume
        + "-client-0-RECON_NO:-0";
  }

  /** The bricks that publish this generator's records, e.g. {@code server1:/bricks/vol0/brick1}. */
  public List<String> bricks() {
    return layout.bricks();
  }

  /** The client uids that originate the fops. */
  public List<String> clients() {
    return clients;
  }

  /** The spec this generator follows. */
  public LoadSpec spec() {
    return spec;
  }

  /** Fops generated so far (a replicated fop counts once). */
  public long fops() {
    return calls;
  }

  /** Records generated so far (a replicated fop counts once per replica). */
  public long records() {
    return records;
  }

  /** Whether the generator is still emitting the MKDIR/CREATE fops that build the initial tree. */
  public boolean populating() {
    return spec.populate() && (namespace == null || preludeDirectories + preludeFiles > 0);
  }

  /**
   * The records of the next fop, completed at {@code eventTimeMs}: one record, or one per replica brick for a
   * modifying fop on a replicated volume.
   */
  public List<FopRecord> next(long eventTimeMs) {
    nowMs = Math.max(nowMs, eventTimeMs);
    if (namespace == null) {
      namespace = new Namespace(nowMs);
      if (!spec.populate()) {
        while (preludeDirectories + preludeFiles > 0) {
          prelude();
        }
        records = 0;
        calls = 0;
      }
    }
    List<FopRecord> result = preludeDirectories + preludeFiles > 0 ? prelude() : steady();
    calls++;
    records += result.size();
    return result;
  }

  int fileCount() {
    return namespace == null ? 0 : namespace.fileCount();
  }

  int directoryCount() {
    return namespace == null ? 0 : namespace.directoryCount();
  }

  private List<FopRecord> prelude() {
    String client = randomClient();
    if (preludeDirectories > 0) {
      preludeDirectories--;
      return mkdir(client, uniformDirectory());
    }
    preludeFiles--;
    return create(client, Fop.CREATE, uniformDirectory());
  }

  private List<FopRecord> steady() {
    String client = randomClient();
    return switch (categories.pick(random)) {
      case READ -> read(client, reads.pick(random));
      case WRITE -> write(client, writes.pick(random));
      case METADATA -> changeMetadata(client, metadata.pick(random));
      case ENTRY -> changeEntry(client, entries.pick(random));
    };
  }

  // ---------------------------------------------------------------- reads

  private List<FopRecord> read(String client, Fop fop) {
    Inode inode =
        switch (fop) {
          case READDIRP, OPENDIR -> rankedDirectory();
          case LOOKUP, STAT, ACCESS, GETXATTR ->
              random.nextInt(5) == 0 ? rankedDirectory() : rankedFileOrRoot();
          default -> rankedFileOrRoot();
        };
    if (fop == Fop.READ || fop == Fop.OPEN) {
      if (inode.type == IaType.LNK) {
        fop = fop == Fop.READ ? Fop.READLINK : Fop.LOOKUP;
      } else if (inode.type != IaType.REG) {
        fop = Fop.STAT;
      }
    }
    FopRecord record = base(fop, client, inode, layout.readBrick(inode.uuid));
    record.setStat(inode.stat());
    if (fop == Fop.READDIRP) {
      record.setEntries(listing(inode));
    } else if (fop == Fop.GETXATTR) {
      String name =
          inode.xattrs.isEmpty()
              ? "security.selinux"
              : nth(inode.xattrs, random.nextInt(inode.xattrs.size()));
      byte[] value = inode.xattrs.get(name);
      record.setXattrs(List.of(new Xattr(name, value == null ? null : ByteBuffer.wrap(value))));
    }
    record.setFopId(fopIdPrefix + (records + 1));
    return List.of(record);
  }

  /** One reply's worth of entries, starting at a batch boundary as a client's successive READDIRPs do. */
  private List<Gfid> listing(Inode directory) {
    int size = directory.children.size();
    int batches = (size + READDIRP_BATCH - 1) / READDIRP_BATCH;
    int skip = batches <= 1 ? 0 : random.nextInt(batches) * READDIRP_BATCH;
    List<Gfid> listed = new ArrayList<>(Math.min(size - skip, READDIRP_BATCH));
    Iterator<Inode> it = directory.children.values().iterator();
    for (int i = 0; i < skip; i++) {
      it.next();
    }
    while (it.hasNext() && listed.size() < READDIRP_BATCH) {
      listed.add(it.next().gfid);
    }
    return listed;
  }

  // ---------------------------------------------------------------- data writes

  private List<FopRecord> write(String client, Fop fop) {
    Inode file = rankedRegularFile();
    if (file == null) {
      return create(client, Fop.CREATE, uniformDirectory());
    }
    switch (fop) {
      case WRITE -> {
        long length = writeLength();
        long offset = random.nextInt(10) < 7 ? file.size : (long) (random.nextDouble() * file.size);
        if (offset + length > MAX_FILE_SIZE) {
          offset = Math.max(0, (long) (random.nextDouble() * (file.size - length)));
        }
        file.size = Math.max(file.size, offset + length);
      }
      case TRUNCATE, FTRUNCATE ->
          file.size = random.nextInt(10) < 3 ? 0 : (long) (random.nextDouble() * file.size);
      case FALLOCATE -> file.size = Math.min(MAX_FILE_SIZE, file.size + writeLength());
      default -> {} // ZEROFILL and DISCARD rewrite data inside the file: times change, size does
        // not
    }
    file.touchModified(nowMs);
    FopRecord record = base(fop, client, file, null);
    record.setStat(file.stat());
    return replicate(record, file);
  }

  private long writeLength() {
    int p = random.nextInt(10);
    return p < 4 ? 4096 : p < 7 ? 65_536 : p < 9 ? 131_072 : 1_048_576;
  }

  // ---------------------------------------------------------------- metadata changes

  private List<FopRecord> changeMetadata(String client, Fop fop) {
    Inode inode =
        fop == Fop.FSETATTR || fop == Fop.FSETXATTR || random.nextInt(6) != 0
            ? rankedFileOrRoot()
            : rankedDirectory();
    if (fop == Fop.REMOVEXATTR && inode.xattrs.isEmpty()) {
      fop = Fop.SETXATTR;
    }
    FopRecord record = base(fop, client, inode, null);
    switch (fop) {
      case SETATTR, FSETATTR -> {
        int what = random.nextInt(5);
        if (what < 2) {
          int[] modes = inode.isDirectory() ? DIRECTORY_MODES : FILE_MODES;
          int mode = modes[random.nextInt(modes.length)];
          record.setModeChanged(mode != inode.mode);
          inode.mode = mode;
        } else if (what == 2) {
          inode.uid = posixUid(random.nextInt(clients.size()));
          inode.gid = inode.uid;
        } else {
          inode.atimeMs = nowMs; // utimes(2) with "now"
          inode.mtimeMs = Math.max(inode.mtimeMs, nowMs);
        }
        inode.touchChanged(nowMs);
      }
      case SETXATTR, FSETXATTR -> {
        String name = XATTR_NAMES[random.nextInt(XATTR_NAMES.length)];
        byte[] value = xattrValue(name).getBytes(StandardCharsets.UTF_8);
        inode.xattrs.put(name, value);
        inode.touchChanged(nowMs);
        record.setXattrs(List.of(new Xattr(name, ByteBuffer.wrap(value))));
      }
      default -> { // REMOVEXATTR
        String name = nth(inode.xattrs, random.nextInt(inode.xattrs.size()));
        inode.xattrs.remove(name);
        inode.touchChanged(nowMs);
        record.setXattrs(List.of(new Xattr(name, null)));
      }
    }
    record.setStat(inode.stat());
    return replicate(record, inode);
  }

  private String xattrValue(String name) {
    return switch (name) {
      case "security.selinux" ->
          random.nextBoolean()
              ? "system_u:object_r:default_t:s0"
              : "unconfined_u:object_r:user_home_t:s0";
      case "user.mime_type" -> random.nextBoolean() ? "text/plain" : "application/octet-stream";
      case "user.checksum" -> Long.toHexString(random.nextLong());
      default -> "v" + random.nextInt(1000);
    };
  }

  // ---------------------------------------------------------------- entry fops

  private List<FopRecord> changeEntry(String client, Fop fop) {
    int files = namespace.fileCount();
    int directories = namespace.directoryCount();
    boolean tooManyFiles = files >= spec.files() + spec.files() / 4 + 1;
    boolean tooFewFiles = files <= spec.files() - spec.files() / 4 - 1;
    boolean tooManyDirectories = directories >= spec.directories() + spec.directories() / 4 + 1;
    switch (fop) {
      case CREATE, SYMLINK, MKNOD -> {
        return tooManyFiles ? unlink(client) : create(client, fop, uniformDirectory());
      }
      case UNLINK -> {
        return tooFewFiles ? create(client, Fop.CREATE, uniformDirectory()) : unlink(client);
      }
      case MKDIR -> {
        return tooManyDirectories
            ? create(client, Fop.CREATE, uniformDirectory())
            : mkdir(client, uniformDirectory());
      }
      case RMDIR -> {
        if (directories > 1 + spec.directories() / 2) {
          return removeTreeStep(client);
        }
        return tooManyDirectories
            ? create(client, Fop.CREATE, uniformDirectory())
            : mkdir(client, uniformDirectory());
      }
      case LINK -> {
        Inode file = rankedRegularFile();
        return file == null ? create(client, Fop.CREATE, uniformDirectory()) : link(client, file);
      }
      default -> {
        return rename(client);
      }
    }
  }

  private List<FopRecord> create(String client, Fop fop, Inode parent) {
    int owner = posixUid(clientIndex.get(client));
    IaType type = fop == Fop.SYMLINK ? IaType.LNK : fop == Fop.MKNOD ? IaType.FIFO : IaType.REG;
    int mode = type == IaType.LNK ? 0777 : 0644;
    String prefix = type == IaType.LNK ? "symlink-" : type == IaType.FIFO ? "fifo-" : "file-";
    Inode inode =
        namespace.create(
            parent, prefix + nextName(), randomUuid(), type, mode, owner, owner, nowMs);
    if (type == IaType.LNK) {
      inode.size = ("../target-" + random.nextInt(10_000)).length();
    }
    FopRecord record = base(fop, client, inode, null);
    record.setParent(parent.gfid);
    record.setStat(inode.stat());
    record.setParentStat(parent.stat());
    return replicate(record, inode);
  }

  private List<FopRecord> mkdir(String client, Inode parent) {
    int owner = posixUid(clientIndex.get(client));
    Inode directory =
        namespace.create(
            parent, "dir-" + nextName(), randomUuid(), IaType.DIR, 0755, owner, owner, nowMs);
    FopRecord record = base(Fop.MKDIR, client, directory, null);
    record.setParent(parent.gfid);
    record.setStat(directory.stat());
    record.setParentStat(parent.stat());
    return replicate(record, directory);
  }

  private List<FopRecord> unlink(String client) {
    if (namespace.fileCount() == 0) {
      return create(client, Fop.CREATE, uniformDirectory());
    }
    Inode file = namespace.file(random.nextInt(namespace.fileCount()));
    Inode.Link link = file.links.get(random.nextInt(file.links.size()));
    int nlink = namespace.unlink(link, file, nowMs);
    FopRecord record = base(Fop.UNLINK, client, file, null);
    record.setParent(link.parent().gfid);
    record.setNlink(nlink);
    record.setStat(nlink > 0 ? file.stat() : NO_STAT);
    record.setParentStat(link.parent().stat());
    return replicate(record, file);
  }

  /**
   * One step of an {@code rm -rf} of a directory, which works bottom-up as the real one does: RMDIR when the
   * directory is empty, else UNLINK of the first file met going down its first entries. Later steps continue
   * the same removal until the directory is gone.
   */
  private List<FopRecord> removeTreeStep(String client) {
    if (removing == null || removing.index < 0) {
      removing = namespace.directory(1 + random.nextInt(namespace.directoryCount() - 1));
    }
    Inode directory = removing;
    while (!directory.children.isEmpty()) {
      Map.Entry<String, Inode> first = directory.children.entrySet().iterator().next();
      Inode child = first.getValue();
      if (!child.isDirectory()) {
        Inode.Link link = new Inode.Link(directory, first.getKey());
        int nlink = namespace.unlink(link, child, nowMs);
        FopRecord record = base(Fop.UNLINK, client, child, null);
        record.setParent(directory.gfid);
        record.setNlink(nlink);
        record.setStat(nlink > 0 ? child.stat() : NO_STAT);
        record.setParentStat(directory.stat());
        return replicate(record, child);
      }
      directory = child;
    }
    return rmdir(client, directory);
  }

  private List<FopRecord> rmdir(String client, Inode directory) {
    Inode.Link link = directory.links.get(0);
    namespace.unlink(link, directory, nowMs);
    FopRecord record = base(Fop.RMDIR, client, directory, null);
    record.setParent(link.parent().gfid);
    record.setNlink(0);
    record.setParentStat(link.parent().stat());
    return replicate(record, directory);
  }

  private List<FopRecord> link(String client, Inode file) {
    Inode parent = uniformDirectory();
    namespace.link(parent, "link-" + nextName(), file, nowMs);
    FopRecord record = base(Fop.LINK, client, file, null);
    record.setParent(parent.gfid);
    record.setNlink(file.nlink());
    record.setStat(file.stat());
    record.setParentStat(parent.stat());
    return replicate(record, file);
  }

  private List<FopRecord> rename(String client) {
    boolean directory =
        namespace.directoryCount() > 1 && (namespace.fileCount() == 0 || random.nextInt(7) == 0);
    if (!directory && namespace.fileCount() == 0) {
      return mkdir(client, uniformDirectory());
    }
    Inode source =
        directory
            ? namespace.directory(1 + random.nextInt(namespace.directoryCount() - 1))
            : namespace.file(random.nextInt(namespace.fileCount()));
    Inode.Link from = source.links.get(random.nextInt(source.links.size()));

    Inode target = null;
    Inode.Link to;
    Inode candidate =
        directory || random.nextInt(10) >= 3
            ? null
            : namespace.file(random.nextInt(namespace.fileCount()));
    if (candidate != null && candidate != source) {
      // Rename over an existing name of another inode: that name now refers to the source.
      target = candidate;
      to = target.links.get(random.nextInt(target.links.size()));
    } else {
      Inode parent = uniformDirectory();
      if (directory && namespace.isWithin(parent, source)) {
        parent = from.parent(); // a directory cannot move below itself; rename it in place instead
      }
      to = new Inode.Link(parent, (directory ? "dir-" : "file-") + nextName());
    }

    int overwrittenNlink = target == null ? -1 : namespace.unlink(to, target, nowMs);
    namespace.move(from, to, source, nowMs);

    FopRecord record = base(Fop.RENAME, client, source, null);
    record.setParent(from.parent().gfid);
    record.setNewParent(to.parent().gfid);
    record.setStat(source.stat());
    record.setParentStat(from.parent().stat());
    record.setNewParentStat(to.parent().stat());
    if (target != null) {
      record.setOverwritten(target.gfid);
      record.setOverwrittenNlink(overwrittenNlink);
    }
    return replicate(record, source);
  }

  // ---------------------------------------------------------------- choices

  private Inode uniformDirectory() {
    return namespace.directory(random.nextInt(namespace.directoryCount()));
  }

  private Inode rankedDirectory() {
    return namespace.directory(directoryRanks.sample(namespace.directoryCount()) - 1);
  }

  /** A file by popularity; the root directory when the volume has no file yet. */
  private Inode rankedFileOrRoot() {
    int count = namespace.fileCount();
    return count == 0 ? namespace.root() : namespace.file(fileRanks.sample(count) - 1);
  }

  /** A regular file by popularity (symlinks and fifos hold no data), or null when none is found. */
  private Inode rankedRegularFile() {
    int count = namespace.fileCount();
    for (int attempt = 0; attempt < 8 && count > 0; attempt++) {
      Inode file = namespace.file(fileRanks.sample(count) - 1);
      if (file.type == IaType.REG) {
        return file;
      }
    }
    return null;
  }

  private String randomClient() {
    return clients.get(random.nextInt(clients.size()));
  }

  private static int posixUid(int clientIndex) {
    return 1000 + Math.floorMod(clientIndex, 64);
  }

  private long nextName() {
    return ++names;
  }

  private UUID randomUuid() {
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long lsb = (random.nextLong() & ~(3L << 62)) | (2L << 62); // IETF variant
    return new UUID(msb, lsb);
  }

  private static String nth(Map<String, ?> map, int n) {
    Iterator<String> it = map.keySet().iterator();
    for (int i = 0; i < n; i++) {
      it.next();
    }
    return it.next();
  }

  // ---------------------------------------------------------------- records

  private FopRecord base(Fop fop, String client, Inode inode, String brick) {
    FopRecord record = new FopRecord();
    record.setVolume(spec.volume());
    record.setBrick(brick);
    record.setFop(fop);
    record.setClient(client);
    record.setGfid(inode.gfid);
    record.setEventTimeMs(nowMs);
    record.setEntries(List.of());
    record.setXattrs(List.of());
    return record;
  }

  /** The record as published by every brick of the inode's replica set, sharing one txId when replicated. */
  private List<FopRecord> replicate(FopRecord record, Inode inode) {
    List<String> bricks = layout.replicaSet(inode.uuid);
    if (bricks.size() == 1) {
      record.setBrick(bricks.get(0));
      record.setFopId(fopIdPrefix + (records + 1));
      return List.of(record);
    }
    record.setTxId(record.getClient() + "#" + (calls + 1));
    List<FopRecord> copies = new ArrayList<>(bricks.size());
    for (int i = 0; i < bricks.size(); i++) {
      FopRecord copy = i == 0 ? record : FopRecordCopies.of(record);
      copy.setBrick(bricks.get(i));
      copy.setFopId(fopIdPrefix + (records + 1 + i));
      copies.add(copy);
    }
    return copies;
  }
}
